using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Imaging;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class MaskCommandTests
{
    private static readonly string Good = TestData.Slide("CMU-1-Small-Region.svs");
    private static readonly string Broken = TestData.Slide("broken.svs");

    [Fact]
    public void A_broken_slide_fails_alone_and_the_good_one_is_masked()
    {
        var outDir = Path.Combine(TestData.NewTempDir(), "masks"); // created by the command
        var (exit, stdout, stderr) = Opath("mask", Good, Broken, "--out", outDir);

        Assert.Equal(ExitCodes.PartialFailure, exit);
        Assert.Contains("broken.svs: not a slide format", stderr);
        Assert.Contains("CMU-1-Small-Region.svs: tissue", stdout);
        Assert.Equal(["CMU-1-Small-Region.mask", "CMU-1-Small-Region.mask.npy", "CMU-1-Small-Region.mask.png"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        var mask = SlideMask.Load(Path.Combine(outDir, "CMU-1-Small-Region.mask"));
        Assert.Equal((35, 47, 6, 64.0), (mask.Width, mask.Height, mask.Level, mask.Downsample));
        Assert.InRange(mask.ForegroundFraction, 0.25, 0.40);

        // The thumbnail is the slide at the mask's size, green exactly where the mask has its boundary.
        var thumbnail = PngTile.Read(Path.Combine(outDir, "CMU-1-Small-Region.mask.png"));
        Assert.Equal((mask.Width, mask.Height), (thumbnail.Width, thumbnail.Height));
        var greens = 0;
        for (var y = 0; y < mask.Height; y++)
        for (var x = 0; x < mask.Width; x++)
        {
            if (thumbnail[x, y] != MaskOutline.Green) continue;
            greens++;
            Assert.NotEqual(0, mask[x, y]);
        }
        Assert.InRange(greens, 20, (int)mask.CountForeground());
    }

    [Fact]
    public void Json_lists_each_slide_with_its_mask_or_its_error()
    {
        var outDir = TestData.NewTempDir();
        var tcga = TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs");
        var (exit, stdout, _) = Opath("mask", Good, Broken, tcga, "--out", outDir, "--json", "--min-object-size", "4");

        Assert.Equal(ExitCodes.PartialFailure, exit);
        var results = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, results.Count);

        var tcgaResult = results[2];
        Assert.Equal(tcga, tcgaResult.GetProperty("slide").GetString());
        Assert.Equal(Path.Combine(outDir, "TCGA-CR-7395-01A-01-TS1.mask"), tcgaResult.GetProperty("mask").GetString());
        Assert.Equal(Path.Combine(outDir, "TCGA-CR-7395-01A-01-TS1.mask.png"), tcgaResult.GetProperty("thumbnail").GetString());
        Assert.Equal(6, tcgaResult.GetProperty("level").GetInt32());
        Assert.Equal(64, tcgaResult.GetProperty("downsample").GetDouble());
        Assert.Equal((70, 56), (tcgaResult.GetProperty("width").GetInt32(), tcgaResult.GetProperty("height").GetInt32()));
        Assert.InRange(tcgaResult.GetProperty("tissueFraction").GetDouble(), 0.50, 0.70);
        Assert.False(tcgaResult.TryGetProperty("error", out _));

        var brokenResult = results[1];
        Assert.Equal(Broken, brokenResult.GetProperty("slide").GetString());
        Assert.Contains("not a slide format", brokenResult.GetProperty("error").GetString());
        Assert.False(brokenResult.TryGetProperty("mask", out _));
    }

    [Fact]
    public void Exit_code_is_0_when_every_slide_is_masked_and_2_when_none_is()
    {
        Assert.Equal(ExitCodes.Success, Opath("mask", Good, "--out", TestData.NewTempDir()).Exit);

        var outDir = TestData.NewTempDir();
        var (exit, _, stderr) = Opath("mask", Broken, TestData.Slide("no-such-slide.svs"), "--out", outDir);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("no-such-slide.svs: file not found", stderr);
        Assert.Empty(Directory.GetFiles(outDir));
    }

    [Fact]
    public void A_level_the_slide_lacks_fails_that_slide_only()
    {
        var outDir = TestData.NewTempDir();
        // boxes.tiff has levels 0 to 3; TCGA only 0 and 1.
        var (exit, _, stderr) = Opath("mask", TestData.Slide("boxes.tiff"), TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs"), "--out", outDir, "--level", "3");
        Assert.Equal(ExitCodes.PartialFailure, exit);
        Assert.Contains("TCGA-CR-7395-01A-01-TS1.svs: has no level 3", stderr);
        Assert.Equal(3, SlideMask.Load(Path.Combine(outDir, "boxes.mask")).Level);
    }

    [Fact]
    public void A_second_slide_of_the_same_name_is_refused_rather_than_overwrite_the_first()
    {
        var outDir = TestData.NewTempDir();
        var (exit, _, stderr) = Opath("mask", Good, Good, "--out", outDir);
        Assert.Equal(ExitCodes.PartialFailure, exit);
        Assert.Contains("would overwrite those of", stderr);
        Assert.Equal(3, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public void Tissue_otsu_writes_the_NCRF_mask_and_the_default_writes_the_robust_one()
    {
        var outDir = TestData.NewTempDir();
        var otsuDir = Path.Combine(outDir, "otsu");
        var robustDir = Path.Combine(outDir, "robust");
        Assert.Equal(ExitCodes.Success, Opath("mask", Good, "--out", otsuDir, "--tissue", "otsu").Exit);
        Assert.Equal(ExitCodes.Success, Opath("mask", Good, "--out", robustDir).Exit);

        using var slide = OrleansPathology.Slides.Slide.Open(Good);
        var otsu = TissueDetector.Detect(slide, new TissueMaskOptions { Method = TissueMethod.Otsu }).Mask;
        var robust = TissueDetector.Detect(slide, new TissueMaskOptions { Method = TissueMethod.Robust }).Mask;
        Assert.Equal(otsu.Data, SlideMask.Load(Path.Combine(otsuDir, "CMU-1-Small-Region.mask")).Data);
        Assert.Equal(robust.Data, SlideMask.Load(Path.Combine(robustDir, "CMU-1-Small-Region.mask")).Data);
        // CMU-1's dull purple tissue at the top of its strip is under Otsu's saturation threshold: the masks differ.
        Assert.NotEqual(otsu.Data, robust.Data);
    }

    [Fact]
    public void An_unknown_tissue_rule_is_refused_naming_the_choices()
    {
        var outDir = TestData.NewTempDir();
        var (exit, _, stderr) = Opath("mask", Good, "--out", outDir, "--tissue", "hysteresis");
        Assert.NotEqual(ExitCodes.Success, exit);
        Assert.Contains("--tissue: unknown tissue method 'hysteresis': use otsu", stderr);
        Assert.Empty(Directory.GetFiles(outDir));
    }

    private static (int Exit, string Stdout, string Stderr) Opath(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = OpathCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
