using OrleansPathology.Annotations;
using OrleansPathology.Client;
using OrleansPathology.Imaging;

namespace OrleansPathology.Tests.Annotations;

/// <summary><c>opath annotations</c> run in-process, as a user would type it.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class AnnotationsCommandTests
{
    private static readonly string Test040 = TestData.Annotation("camelyon16-xml/test_040.xml");

    [Fact]
    public void Test040AtLevel6_MaskAreaMatchesThePolygonArea()
    {
        var output = Path.Combine(TestData.NewTempDir(), "test_040.mask");

        var (exit, stdout, _) = Run("annotations", "100000x220000", Test040, "--level", "6", "--out", output);

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("34 tumour, 44 exclusion", stdout);
        Assert.DoesNotContain("mm^2", stdout); // bare dimensions carry no resolution
        var mask = SlideMask.Load(output);
        Assert.Equal((1563, 3438, 6, 64.0), (mask.Width, mask.Height, mask.Level, mask.Downsample));
        var annotations = AsapXml.Read(Test040);
        // Tumour minus exclusion: test_040's exclusions lie inside its tumour and do not overlap each other.
        var expected = annotations.Tumour.Sum(p => PolygonGeometry.Area(p.Vertices)) - annotations.Exclusion.Sum(p => PolygonGeometry.Area(p.Vertices));
        var area = mask.CountForeground() * 64.0 * 64.0;
        Assert.InRange(area, expected * 0.99, expected * 1.01);
        Assert.True(File.Exists(output + ".png"), "no PNG preview beside the mask");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(output + ".png")[..4]);
    }

    [Fact]
    public void NcrfJson_IsReadByItsExtension()
    {
        var output = Path.Combine(TestData.NewTempDir(), "tumor_110.mask");

        var (exit, _, _) = Run("annotations", "100000x100000", TestData.Annotation("ncrf-json/Tumor_110.json"), "--level", "7", "--out", output);

        Assert.Equal(ExitCodes.Success, exit);
        var mask = SlideMask.Load(output);
        Assert.Equal(128.0, mask.Downsample);
        Assert.True(mask.CountForeground() > 0);
    }

    [Fact]
    public void RealSlide_GivesDimensions_AndVirtualLevelsArePowersOfTwo()
    {
        // CMU-1-Small-Region.svs: one level, 2220x2967. Level 2 is beyond its pyramid, so downsample 4.
        var dir = TestData.NewTempDir();
        var xml = Path.Combine(dir, "square.xml");
        AsapXml.Write(xml, new SlideAnnotations([Polygons.Rectangle("t", 400, 400, 1200, 1000)], []));
        var output = Path.Combine(dir, "cmu.mask");

        var (exit, stdout, _) = Run("annotations", TestData.Slide("CMU-1-Small-Region.svs"), xml, "--level", "2", "--out", output);

        Assert.Equal(ExitCodes.Success, exit);
        var mask = SlideMask.Load(output);
        Assert.Equal((555, 742, 4.0), (mask.Width, mask.Height, mask.Downsample));
        Assert.Equal(800 * 600 / 16, mask.CountForeground());
        Assert.Contains("tumour: 30000 mask pixels", stdout);
        // 800 x 600 level-0 pixels at 0.499 um each: 0.1195 mm^2.
        Assert.Contains("tumour area: 0.1195 mm^2", stdout);
    }

    [Fact]
    public void MissingAnnotationFile_FailsWithoutWritingAMask()
    {
        var dir = TestData.NewTempDir();
        var output = Path.Combine(dir, "out.mask");

        var missing = Path.Combine(dir, "absent.xml");

        var (exit, _, stderr) = Run("annotations", "1000x1000", missing, "--out", output);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains(missing, stderr);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void NeitherSlideNorDimensions_Fails()
    {
        var dir = TestData.NewTempDir();

        var slide = Path.Combine(dir, "nothing.svs");

        var (exit, _, stderr) = Run("annotations", slide, Test040, "--out", Path.Combine(dir, "out.mask"));

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains(slide, stderr);
    }

    [Fact]
    public void LevelZeroOfACamelyonSizedSlide_FailsClearly()
    {
        var dir = TestData.NewTempDir();

        var (exit, _, stderr) = Run("annotations", "100000x220000", Test040, "--level", "0", "--out", Path.Combine(dir, "out.mask"));

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("use a higher level", stderr);
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) =>
        ConsoleCapture.Run(() => OpathCommand.Create().Parse(args).Invoke());
}
