using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

/// <summary><c>opath infer --convolutions</c> as a user types it: Winograd by default on a CPU, the same map as direct's.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class InferConvolutionsCommandTests
{
    [Fact]
    public void DefaultWinograd_AndDirect_GiveTheSameMapToItsRounding_AndSayWhichRan()
    {
        var dir = TestData.NewTempDir("opath-convolutions");
        try
        {
            var slidePath = InferWindow.SlidePath;
            var (weights, maskPath) = InferWindow.Prepare(dir, x0: 10, x1: 22, y0: 14, y1: 24);

            (ProbabilityMap Map, string Convolutions) Infer(params string[] extra)
            {
                var outDir = Path.Combine(dir, "out" + string.Concat(extra));
                var (exit, stdout, stderr) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(
                    ["infer", slidePath, "--weights", weights, "--mask", maskPath, "--out", outDir, "--json", .. extra]).Invoke());
                Assert.True(exit == ExitCodes.Success, stderr);
                using var json = JsonDocument.Parse(stdout);
                return (ProbabilityMap.Load(InferenceOutputPaths.For(outDir, slidePath).Map), json.RootElement.GetProperty("convolutions").GetString()!);
            }

            var (winograd, defaultAlgorithm) = Infer();
            var (direct, directAlgorithm) = Infer("--convolutions", "direct");
            Assert.Equal("winograd", defaultAlgorithm);
            Assert.Equal("direct", directAlgorithm);
            Assert.True(winograd.ComputedCount() > 50);
            Assert.Equal(winograd.ComputedCount(), direct.ComputedCount());
            var cells = Enumerable.Range(0, winograd.Values.Length).Where(i => !float.IsNaN(winograd.Values[i])).ToList();
            Assert.InRange(cells.Max(i => Math.Abs(winograd.Values[i] - direct.Values[i])), 0, 1e-4);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("bf16", "winograd", "BFloat16")]
    [InlineData("fp32", "fourier", "unknown convolution algorithm 'fourier'")]
    public void AnAlgorithmThatCannotRun_FailsInOneLineNamingWhy(string precision, string algorithm, string expected)
    {
        var (exit, _, stderr) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(
            ["infer", TestData.Slide("CMU-1-Small-Region.svs"), "--weights", "no-such-weights", "--out", TestData.NewTempDir("opath-convolutions-bad"),
             "--precision", precision, "--convolutions", algorithm]).Invoke());
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}
