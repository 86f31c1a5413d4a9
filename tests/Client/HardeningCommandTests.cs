using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Client;

namespace OrleansPathology.Tests.Client;

/// <summary>
/// Bad input to the console's file commands, as a user types it (issue 11, case 12): each gives one line naming the
/// file and the problem, exit 2, and leaves nothing half-written behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class HardeningCommandTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-hardening");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) =>
        ConsoleCapture.Run(() => OpathCommand.Create().Parse(args).Invoke());

    [Theory]
    [InlineData("1e300", "500")]
    [InlineData("500", "-1e9")]
    public void An_annotation_vertex_beyond_any_slide_is_an_error_naming_the_file_and_annotation(string x, string y)
    {
        var xml = Path.Combine(_dir, "far.xml");
        File.WriteAllText(xml, $"""
            <ASAP_Annotations><Annotations><Annotation Name="far" Type="Polygon" PartOfGroup="_0"><Coordinates>
            <Coordinate Order="0" X="0" Y="0"/><Coordinate Order="1" X="{x}" Y="{y}"/><Coordinate Order="2" X="100" Y="900"/>
            </Coordinates></Annotation></Annotations></ASAP_Annotations>
            """);

        var (exit, _, stderr) = Run("annotations", "100000x100000", xml, "--level", "6", "--out", Path.Combine(_dir, "far.mask"));

        Assert.Equal(ExitCodes.Failure, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"opath: {xml}: annotation 'far' has vertex (", line);
        Assert.EndsWith("beyond ±10000000 level-0 pixels of any slide", line);
        Assert.DoesNotContain("Parameter", line);
    }

    [Fact]
    public void An_ncrf_vertex_beyond_any_slide_is_an_error_naming_the_file()
    {
        var json = Path.Combine(_dir, "far.json");
        File.WriteAllText(json, """{"positive": [{"name": "far", "vertices": [[0, 0], [1e300, 5], [5, 9]]}]}""");

        var error = Assert.Throws<InvalidDataException>(() => NcrfJson.Read(json));

        Assert.StartsWith($"{json}: positive[0] ('far') has vertex (1E+300, 5), beyond ±10000000", error.Message);
    }

    [Fact]
    public void The_streamed_asap_reader_keeps_order_attributes_skips_foreign_elements_and_reads_empty_annotations()
    {
        var xml = Path.Combine(_dir, "ordered.xml");
        File.WriteAllText(xml, """
            <?xml version="1.0"?>
            <!-- a comment -->
            <ASAP_Annotations>
              <Annotations>
                <Annotation Name="b" Type="Polygon" PartOfGroup="_2">
                  <Notes><Coordinate Order="0" X="999" Y="999"/></Notes>
                  <Coordinates>
                    <Coordinate Order="2" X="20" Y="20"/>
                    <Coordinate Order="0" X="0" Y="0"/>
                    <Coordinate Order="1" X="20" Y="0"></Coordinate>
                    <Coordinate Order="1" X="21" Y="1"/>
                  </Coordinates>
                </Annotation>
                <Annotation Name="dot" Type="Dot" PartOfGroup="_0"><Coordinates><Coordinate Order="0" X="1" Y="1"/></Coordinates></Annotation>
                <Annotation Name="a" Type="Rectangle" PartOfGroup="Tumor"><Coordinates><Coordinate X="0" Y="0"/><Coordinate X="9" Y="0"/><Coordinate X="9" Y="9"/></Coordinates></Annotation>
              </Annotations>
              <AnnotationGroups><Group Name="_0"/></AnnotationGroups>
            </ASAP_Annotations>
            """);

        var read = AsapXml.Read(xml);

        var tumour = Assert.Single(read.Tumour);
        Assert.Equal("a", tumour.Name);
        Assert.Equal(new PointD[] { new(0, 0), new(9, 0), new(9, 9) }, tumour.Vertices.ToArray());
        var exclusion = Assert.Single(read.Exclusion);
        // By Order, ties in document order; the Notes element's coordinate is not part of the outline.
        Assert.Equal(new PointD[] { new(0, 0), new(20, 0), new(21, 1), new(20, 20) }, exclusion.Vertices.ToArray());
    }

    [Fact]
    public void Annotations_out_naming_a_folder_is_said_at_once_in_one_line()
    {
        var (exit, _, stderr) = Run("annotations", "100000x100000", TestData.Annotation("camelyon16-xml/test_040.xml"), "--out", _dir);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal($"opath: --out {_dir}: is a folder; give the mask file to write, e.g. {Path.Combine(_dir, "mask.npy")}", stderr.Trim());
    }

    [Fact]
    public void Synth_out_naming_a_file_or_a_folder_under_a_file_is_said_in_one_line_before_any_slide_is_made()
    {
        var file = Path.Combine(_dir, "cohort.txt");
        File.WriteAllText(file, "");

        var onFile = Run("synth", "--out", file, "--slides", "2", "--size", "2000x2000", "--seed", "1");
        var under = Run("synth", "--out", Path.Combine(file, "sub"), "--slides", "2", "--size", "2000x2000", "--seed", "1");

        Assert.Equal((ExitCodes.Failure, $"opath synth: --out {file}: is a file; give the folder to write the cohort into"), (onFile.Exit, onFile.Stderr.Trim()));
        Assert.Equal((ExitCodes.Failure, $"opath synth: --out {Path.Combine(file, "sub")}: {file} is a file, so no folder can be made under it"), (under.Exit, under.Stderr.Trim()));
    }

    [Fact]
    public void Model_init_out_naming_a_folder_fails_in_one_line_and_leaves_no_partial_file()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "w")).FullName;

        var (exit, _, stderr) = Run("model", "init", "--out", folder);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal($"opath: {folder}: is a folder; give the weights file to write, e.g. {Path.Combine(folder, "model.weights")}", stderr.Trim());
        Assert.Equal([folder], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Dataset_with_more_tumour_patches_than_a_slide_can_give_says_so_about_the_count()
    {
        var (exit, _, stderr) = Run("dataset", TestData.Slide("CMU-1-Small-Region.svs"), "--annotations", _dir,
            "--out", Path.Combine(_dir, "dataset.json"), "--tumour-patches", "999999999");

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal("opath: --tumour-patches must be a whole number from 1 to 1000000 (patches per annotated slide; got '999999999')", stderr.Trim());
    }

    [Fact]
    public void Train_on_a_dataset_naming_a_broken_slide_prints_one_line_naming_the_slide_and_no_stack_trace()
    {
        var dataset = Path.Combine(_dir, "broken.json");
        var broken = TestData.Slide("broken.svs");
        var good = TestData.Slide("CMU-1-Small-Region.svs");
        File.WriteAllText(dataset, JsonSerializer.Serialize(new
        {
            training = new object[] { new { image = broken, location = new[] { 600, 600 }, label = 1 }, new { image = good, location = new[] { 800, 800 }, label = 0 } },
            validation = new object[] { new { image = good, location = new[] { 900, 900 }, label = 0 } },
        }));

        // The embedded cluster logs to this process's console: captured with the command's own output.
        var (exit, stdout, stderr) = Run("train", dataset, "--out", Path.Combine(_dir, "t.weights"), "--epochs", "1", "--batch-size", "2");

        Assert.Equal(ExitCodes.Failure, exit);
        var all = stdout + stderr;
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("--- End of", all);
        Assert.Contains(stderr.Split('\n'), line => line.StartsWith("opath train: training run ", StringComparison.Ordinal)
            && line.Contains($"(image {broken}, location [600, 600]): slide cannot be opened: not a slide format OpenSlide", StringComparison.Ordinal));
    }
}
