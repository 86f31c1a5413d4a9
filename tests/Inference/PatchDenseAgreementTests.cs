using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Inference;

/// <summary>Dense mode against patch mode (MONAI's reference semantics) on a real slide.</summary>
[Collection(SeededModelsCollection.Name)]
public sealed class PatchDenseAgreementTests
{
    [Fact]
    public void ADenseRegion_HoldsEveryCellsPatchAtItsStrideOffset()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64);
        var rect = new CellRect(10, 20, 5, 4);
        var cells = new List<Cell>();
        for (var y = rect.Y; y < rect.Y + rect.Height; y++)
            for (var x = rect.X; x < rect.X + rect.Width; x++) cells.Add(new Cell(x, y));
        var dense = BatchReader.Read(slide, new TileBatch(slide.Path, 0, InferenceMode.Dense, 64, 224, cells, rect));
        var patches = BatchReader.Read(slide, new TileBatch(slide.Path, 1, InferenceMode.Patch, 64, 224, cells));

        for (var i = 0; i < cells.Count; i++)
        {
            // The region starts its context margin before the first window.
            var (px, py) = grid.PatchOrigin(cells[i], 224);
            var (dx, dy) = ((int)(px - dense.OriginX), (int)(py - dense.OriginY));
            Assert.Equal(((cells[i].X - rect.X) * 64 + DenseGeometry.DefaultContextMargin, (cells[i].Y - rect.Y) * 64 + DenseGeometry.DefaultContextMargin), (dx, dy));
            for (var row = 0; row < 224; row += 37)
            {
                var fromRegion = dense.Rgb.AsSpan(((dy + row) * dense.Width + dx) * 3, 224 * 3);
                var fromPatch = patches.Rgb.AsSpan((i * 224 * 224 + row * 224) * 3, 224 * 3);
                Assert.True(fromRegion.SequenceEqual(fromPatch), $"cell {cells[i]} row {row}");
            }
        }
        // Output position k*stride/32 of the network: 2 steps per cell at stride 64.
        Assert.Equal((4.0, 6.0), DenseGeometry.OutputPosition(new Cell(12, 23), rect, 64));
        Assert.Equal((7.0, 9.0), DenseGeometry.OutputPosition(new Cell(12, 23), rect, 64, 96));
    }

    [Fact]
    public async Task DenseAndPatchMaps_AgreeOnEveryTissueCell_WithinTheMeasuredBound()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var tissue = TissueDetector.Detect(slide).Mask;
        // A 10x10-cell window of the tissue keeps the patch run to seconds.
        var window = new SlideMask(tissue.Width, tissue.Height, tissue.Level, tissue.Downsample);
        for (var y = 20; y < 30; y++)
            for (var x = 10; x < 20; x++) window[x, y] = tissue[x, y];
        random.manual_seed(1);
        using var computer = new BatchComputer(new FcnResNet18(), ComputeDevice.Parse("cpu"));

        var patch = await SlideInference.RunAsync(slide, window, computer, new InferenceOptions { Mode = InferenceMode.Patch });
        var dense = await SlideInference.RunAsync(slide, window, computer, new InferenceOptions { Mode = InferenceMode.Dense });

        Assert.True(patch.ComputedCount() > 20);
        Assert.Equal(patch.ComputedCount(), dense.ComputedCount());
        var diffs = Enumerable.Range(0, patch.Values.Length).Where(i => !float.IsNaN(patch.Values[i]))
            .Select(i => Math.Abs(patch.Values[i] - dense.Values[i])).ToList();
        // Measured here with these weights (seed 1): mean 0.0255, max 0.0653 over the window's 63 cells (dense
        // windows see real neighbours where patch mode sees zero padding); over all CMU-1 tissue 0.023 and 0.060.
        // The bounds leave twice that. A trained model's figures are in BENCHMARKS.md.
        Assert.InRange(diffs.Average(), 0, 0.05);
        Assert.InRange(diffs.Max(), 0, 0.13);
    }
}
