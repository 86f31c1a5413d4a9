using System.Diagnostics;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// Several slides scored one after another by one process and one model, as an inference worker scores a cohort,
/// through <see cref="SlideInference.RunAsync"/>: time, region sizes met so far, and the process's RSS after each slide.
/// Canonical region shapes (<see cref="InferenceOptions.CanonicalShapes"/>) compute more pixels so that libtorch and
/// oneDNN, which keep set-up per input shape, see few shapes; on one slide they were a cost, over a cohort this says.
/// </summary>
internal static class CohortBenchmark
{
    public sealed record Settings(IReadOnlyList<string> SlidePaths, string? WeightsPath, bool CanonicalShapes, int RegionCells, int Threads);

    public static async Task Run(Settings s)
    {
        BenchModel.SetThreads(s.Threads);
        var options = new InferenceOptions { CanonicalShapes = s.CanonicalShapes, RegionCells = s.RegionCells };
        using var computer = new BatchComputer(BenchModel.Create(s.WeightsPath), ComputeDevice.Parse("cpu", "fp32"));
        Console.WriteLine($"## cohort of {s.SlidePaths.Count} slides, dense stride {options.Stride}, region {options.RegionCells} cells, " +
            $"canonical shapes {s.CanonicalShapes}, band rows {computer.BandRows}, {BenchModel.Describe(s.WeightsPath)}");
        Console.WriteLine(Machine.Describe());
        var table = new MarkdownTable("slide", "batches", "cells", "computed px per cell", "region sizes so far", "region widths so far",
            "wall s", "cells/s", "RSS MiB after", "peak RSS MiB", "load before / after");
        var sizes = new HashSet<(int, int)>();
        long cellsTotal = 0;
        var total = Stopwatch.StartNew();
        foreach (var path in s.SlidePaths)
        {
            using var slide = Slide.Open(path);
            var tissue = TissueDetector.Detect(slide).Mask;
            var batches = SlideInference.Plan(slide, tissue, options);
            foreach (var b in batches) sizes.Add(DenseGeometry.RegionPixels(b.Region!.Value, b.Stride, b.PatchSize, b.ContextMargin));
            long cells = batches.Sum(b => (long)b.Cells.Count);
            cellsTotal += cells;
            var load = Machine.LoadAverage();
            var clock = Stopwatch.StartNew();
            await SlideInference.RunAsync(slide, tissue, computer, options);
            var seconds = clock.Elapsed.TotalSeconds;
            table.Row(Path.GetFileName(path), batches.Count, cells, batches.Sum(DenseGeometry.ComputedPixels) / (double)cells, sizes.Count,
                sizes.Select(z => z.Item1).Distinct().Count(), seconds, cells / seconds, Machine.RssMiB(), Machine.PeakRssMiB(), $"{load} / {Machine.LoadAverage()}");
        }
        Console.WriteLine($"cohort: {cellsTotal} cells in {total.Elapsed.TotalSeconds:0.0} s ({cellsTotal / total.Elapsed.TotalSeconds:0} cells/s, tissue masks included), " +
            $"peak RSS {Machine.PeakRssMiB():0} MiB");
    }
}
