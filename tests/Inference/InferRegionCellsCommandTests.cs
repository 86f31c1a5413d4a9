using OrleansPathology.Client;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

/// <summary><c>opath infer --region-cells N</c> as a user types it: where regions are cut does not show in the map.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class InferRegionCellsCommandTests
{
    [Fact]
    public void RegionCellsSixteenAndTwentyFour_GiveMapsWithinOneHundredthOnEveryCell()
    {
        var dir = TestData.NewTempDir("opath-regioncells");
        try
        {
            var slidePath = InferWindow.SlidePath;
            // A 20x20-cell window of the tissue, across the cuts at cells 16 and 24 both ways.
            var (weights, maskPath) = InferWindow.Prepare(dir, x0: 8, x1: 28, y0: 12, y1: 32);

            ProbabilityMap Infer(int regionCells)
            {
                var outDir = Path.Combine(dir, "r" + regionCells);
                var (exit, stdout, stderr) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(
                    ["infer", slidePath, "--weights", weights, "--mask", maskPath, "--out", outDir, "--region-cells", regionCells.ToString()]).Invoke());
                Assert.True(exit == ExitCodes.Success, stderr);
                return ProbabilityMap.Load(InferenceOutputPaths.For(outDir, slidePath).Map);
            }

            var a = Infer(16);
            var b = Infer(24);
            Assert.True(a.ComputedCount() > 150);
            Assert.Equal(a.ComputedCount(), b.ComputedCount());
            var max = Enumerable.Range(0, a.Values.Length).Where(i => !float.IsNaN(a.Values[i])).Max(i => Math.Abs(a.Values[i] - b.Values[i]));
            Assert.InRange(max, 0, 0.01);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
