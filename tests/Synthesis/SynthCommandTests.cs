using System.CommandLine;
using OrleansPathology.Client;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

public sealed class SynthCommandTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-synth-cli");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_the_cohort_and_reports_each_slide_on_stderr()
    {
        var (exit, stdout, stderr) = Opath("synth", "--out", _dir, "--slides", "2", "--size", "2000x2100", "--seed", "3", "--tumour-fraction", "0.5");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains("[1/2] synth_000", stderr);
        Assert.Contains("[2/2] synth_001", stderr);
        Assert.Contains("wrote 2 slides (1 with tumour", stdout);
        Assert.True(File.Exists(Path.Combine(_dir, "slides", "synth_001.tif")));
        Assert.True(File.Exists(Path.Combine(_dir, CohortManifest.FileName)));
        Assert.True(File.Exists(Path.Combine(_dir, PatchDataset.FileName)));
    }

    [Theory]
    [InlineData("--size is required", "--out", "{dir}", "--slides", "2", "--seed", "1")]
    [InlineData("--out is required", "--slides", "2", "--size", "3000x3000", "--seed", "1")]
    [InlineData("--size must be WIDTHxHEIGHT", "--out", "{dir}", "--slides", "2", "--size", "3000", "--seed", "1")]
    [InlineData("each side must be 2000 to 250000", "--out", "{dir}", "--slides", "2", "--size", "100x3000", "--seed", "1")]
    [InlineData("--slides must be at least 1 (got 0)", "--out", "{dir}", "--slides", "0", "--size", "3000x3000", "--seed", "1")]
    [InlineData("--slides must be a whole number (got 'many')", "--out", "{dir}", "--slides", "many", "--size", "3000x3000", "--seed", "1")]
    [InlineData("--seed must be a whole number", "--out", "{dir}", "--slides", "2", "--size", "3000x3000", "--seed", "-4")]
    [InlineData("--tumour-fraction must be in [0, 1] (got 1.5)", "--out", "{dir}", "--slides", "2", "--size", "3000x3000", "--seed", "1", "--tumour-fraction", "1.5")]
    [InlineData("Unrecognized command or argument 'extra'", "--out", "{dir}", "--slides", "2", "--size", "3000x3000", "--seed", "1", "extra")]
    public void A_bad_argument_is_one_clear_line_and_exit_code_2_with_nothing_written(string message, params string[] args)
    {
        var outDir = Path.Combine(_dir, "never");
        var (exit, stdout, stderr) = Opath(["synth", .. args.Select(a => a.Replace("{dir}", outDir))]);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains(message, stderr);
        Assert.StartsWith("opath synth: ", stderr);
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(outDir));
    }

    private static (int Exit, string Stdout, string Stderr) Opath(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = OpathCommand.Invoke(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
