using System.Diagnostics;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// Patch mode (one 224 window per cell, MONAI's reference) against dense mode (one region per batch through the
/// fully convolutional network) on the same slide: cells per second of each, and how far their maps agree.
/// Both run on a sample of the slide's dense batches spread evenly over its tissue, so that regions are as
/// full of tissue as on the whole slide; patch mode, 8 to 15 times slower, runs on a part of those cells.
/// </summary>
internal static class InferBenchmark
{
    /// <summary>Lesions of the two maps count as the same when their centres are at most this many cells apart.</summary>
    private const double LesionMatchCells = 2;

    public sealed record Settings(string SlidePath, string? WeightsPath, int[] Strides, string[] Precisions,
        int PatchCells, int DenseCells, int RegionCells, int PatchesPerBatch, int Threads, int ContextMargin = DenseGeometry.DefaultContextMargin,
        bool[]? FoldBatchNorm = null, bool[]? CanonicalShapes = null, int BandRows = BatchComputer.DefaultBandRows,
        ConvolutionAlgorithm[]? Convolutions = null);

    private sealed record Timed(int Batches, int Cells, double ReadSeconds, double ComputeSeconds, double ComputeCpuSeconds)
    {
        public double ComputeCellsPerSecond => Cells / ComputeSeconds;
        public double CellsPerSecond => Cells / (ReadSeconds + ComputeSeconds);
        public double CellsPerCpuSecond => Cells / ComputeCpuSeconds;
    }

    public static void Run(Settings s)
    {
        BenchModel.SetThreads(s.Threads);
        using var slide = Slide.Open(s.SlidePath);
        var tissue = TissueDetector.Detect(slide).Mask;
        Console.WriteLine($"## infer {Path.GetFileName(s.SlidePath)}: {slide.Dimensions.Width}x{slide.Dimensions.Height}, {BenchModel.Describe(s.WeightsPath)}, " +
            $"region {s.RegionCells} cells, {s.PatchesPerBatch} patches per batch");
        Console.WriteLine(Machine.Describe());

        var folds = s.FoldBatchNorm ?? [true];
        var canonicals = s.CanonicalShapes ?? [false];
        var speed = new MarkdownTable("stride", "precision", "mode", "bn folded", "dense 3x3 convolutions", "canonical shapes", "batches", "shapes", "cells", "computed px per cell", "read s", "compute s", "compute cpu s", "compute cells/s",
            "cells per compute cpu s", "read+compute cells/s", "dense / patch (wall)", "dense / patch (cpu)", "load before / after");
        var agreement = new List<object[]>();
        foreach (var stride in s.Strides)
        {
            var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, stride);
            var dense = TileBatchPlanner.PlanDense(slide.Path, grid, tissue, s.RegionCells, FcnResNet18.PatchSize, s.ContextMargin, canonicals[0]);
            var tissueCells = dense.Sum(b => (long)b.Cells.Count);
            Console.WriteLine($"stride {stride}: whole-slide dense plan (region {s.RegionCells} cells, context margin {s.ContextMargin} px): {dense.Count} batches, " +
                $"{dense.Select(b => DenseGeometry.RegionPixels(b.Region!.Value, stride, FcnResNet18.PatchSize, b.ContextMargin)).Distinct().Count()} region shapes, " +
                $"{tissueCells} tissue cells, computed pixels per tissue cell {dense.Sum(DenseGeometry.ComputedPixels) / (double)tissueCells:0} " +
                $"(a cell's own {stride}x{stride} = {stride * stride}; a 224 patch = {224 * 224})");
            // The planner before the tissue cover: one bounding box per block, no context margin.
            var boxes = grid.ForegroundCells(tissue).GroupBy(c => (c.X / s.RegionCells, c.Y / s.RegionCells)).Select(g =>
                new CellRect(g.Min(c => c.X), g.Min(c => c.Y), g.Max(c => c.X) - g.Min(c => c.X) + 1, g.Max(c => c.Y) - g.Min(c => c.Y) + 1)).ToList();
            Console.WriteLine($"stride {stride}: one bounding box per block, no margin (the planner before): {boxes.Count} batches, computed pixels per tissue cell " +
                $"{boxes.Sum(r => { var (w, h) = DenseGeometry.RegionPixels(r, stride, FcnResNet18.PatchSize); return (double)w * h; }) / tissueCells:0}; " +
                $"the tissue cover without margin: {TileBatchPlanner.PlanDense(slide.Path, grid, tissue, s.RegionCells, FcnResNet18.PatchSize, 0).Sum(DenseGeometry.ComputedPixels) / (double)tissueCells:0}");
            var denseSamples = canonicals.Select(c => Spread(
                TileBatchPlanner.PlanDense(slide.Path, grid, tissue, s.RegionCells, FcnResNet18.PatchSize, s.ContextMargin, c), s.DenseCells)).ToList();
            var denseSample = denseSamples[0];
            var patchCells = Spread(denseSample, s.PatchCells).SelectMany(b => b.Cells).Take(s.PatchCells).ToList();
            var patchBatches = patchCells.Chunk(s.PatchesPerBatch)
                .Select((cells, i) => new TileBatch(slide.Path, i, InferenceMode.Patch, stride, FcnResNet18.PatchSize, cells))
                .ToList();

            foreach (var precision in s.Precisions)
            {
                var device = ComputeDevice.Parse("cpu", precision);
                foreach (var (fold, convolutions) in folds.SelectMany(f => (s.Convolutions ?? [BatchComputer.DefaultDenseConvolutionsFor(device)])
                    .Where(c => c == ConvolutionAlgorithm.Direct || (f && device.ScalarType == TorchSharp.torch.ScalarType.Float32)).Select(c => (f, c))))
                {
                    // Band rows 0: each region in one band (as large as the region: activations of the whole region at once).
                    using var computer = new BatchComputer(BenchModel.Create(s.WeightsPath), device, fold)
                    {
                        BandRows = s.BandRows > 0 ? s.BandRows : int.MaxValue,
                        DenseConvolutions = convolutions,
                    };
                    // First forward passes create oneDNN primitives: not timed (for the first shape of each mode only).
                    computer.Compute(BatchReader.Read(slide, patchBatches[0]));
                    computer.Compute(BatchReader.Read(slide, denseSample[0]));

                    var load = Machine.LoadAverage();
                    var patchMap = ProbabilityMap.For(grid);
                    var patch = RunBatches(slide, computer, patchBatches, patchMap);
                    speed.Row(stride, precision, "patch", fold, "direct", "", patch.Batches, 1, patch.Cells, FcnResNet18.PatchSize * FcnResNet18.PatchSize, patch.ReadSeconds, patch.ComputeSeconds, patch.ComputeCpuSeconds,
                        patch.ComputeCellsPerSecond, patch.CellsPerCpuSecond, patch.CellsPerSecond, double.NaN, double.NaN, $"{load} / {Machine.LoadAverage()}");

                    for (var c = 0; c < canonicals.Length; c++)
                    {
                        var sample = denseSamples[c];
                        load = Machine.LoadAverage();
                        var denseMap = ProbabilityMap.For(grid);
                        var denseRun = RunBatches(slide, computer, sample, denseMap);
                        var shapes = sample.Select(b => DenseGeometry.RegionPixels(b.Region!.Value, stride, FcnResNet18.PatchSize, b.ContextMargin)).Distinct().Count();
                        speed.Row(stride, precision, "dense", fold, convolutions, canonicals[c], denseRun.Batches, shapes, denseRun.Cells,
                            Math.Round(sample.Sum(DenseGeometry.ComputedPixels) / (double)denseRun.Cells), denseRun.ReadSeconds, denseRun.ComputeSeconds,
                            denseRun.ComputeCpuSeconds, denseRun.ComputeCellsPerSecond, denseRun.CellsPerCpuSecond, denseRun.CellsPerSecond,
                            $"{denseRun.ComputeCellsPerSecond / patch.ComputeCellsPerSecond:0.0}x", $"{denseRun.CellsPerCpuSecond / patch.CellsPerCpuSecond:0.0}x",
                            $"{load} / {Machine.LoadAverage()}");
                        if (c == 0) agreement.Add(Compare(stride, $"{precision}{(fold ? ", folded" : "")}, {convolutions}", patchCells, patchMap, denseMap));
                    }
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Agreement of dense with patch on the patch cells (lesions: LesionDetector threshold {LesionDetector.DefaultThreshold}, " +
            $"box {LesionDetector.DefaultBoxLevel0Pixels} level-0 px, on both maps restricted to those cells; matched within {LesionMatchCells} cells):");
        var table = new MarkdownTable("stride", "precision", "common cells", "mean abs diff", "max abs diff", "cells across 0.5", "patch p min..max",
            "patch lesions", "dense lesions", "matched");
        foreach (var row in agreement) table.Row(row);
    }

    private static Timed RunBatches(Slide slide, BatchComputer computer, IReadOnlyList<TileBatch> batches, ProbabilityMap map)
    {
        double read = 0, compute = 0, computeCpu = 0;
        var cells = 0;
        var process = Process.GetCurrentProcess();
        foreach (var batch in batches)
        {
            var clock = Stopwatch.StartNew();
            var pixels = BatchReader.Read(slide, batch);
            read += clock.Elapsed.TotalSeconds;

            process.Refresh();
            var cpu = process.TotalProcessorTime;
            clock.Restart();
            var result = computer.Compute(pixels);
            compute += clock.Elapsed.TotalSeconds;
            process.Refresh();
            computeCpu += (process.TotalProcessorTime - cpu).TotalSeconds;

            map.Apply(result);
            cells += result.Cells.Count;
        }
        return new Timed(batches.Count, cells, read, compute, computeCpu);
    }

    private static object[] Compare(int stride, string precision, List<Cell> cells, ProbabilityMap patch, ProbabilityMap dense)
    {
        double sum = 0, max = 0;
        var across = 0;
        float low = float.PositiveInfinity, high = float.NegativeInfinity;
        var patchOnly = new ProbabilityMap(patch.Width, patch.Height, patch.Stride);
        var denseOnly = new ProbabilityMap(patch.Width, patch.Height, patch.Stride);
        foreach (var (x, y) in cells)
        {
            var p = patch[x, y];
            var d = dense[x, y];
            var diff = Math.Abs(p - d);
            sum += diff;
            max = Math.Max(max, diff);
            if (p >= 0.5f != d >= 0.5f) across++;
            low = Math.Min(low, p);
            high = Math.Max(high, p);
            patchOnly[x, y] = p;
            denseOnly[x, y] = d;
        }
        var detector = new LesionDetector();
        var patchLesions = detector.Detect(patchOnly);
        var denseLesions = detector.Detect(denseOnly);
        var matched = MatchLesions(patchLesions, denseLesions, LesionMatchCells * stride);
        return [stride, precision, cells.Count, sum / cells.Count, max, $"{across} ({100.0 * across / cells.Count:0.0}%)", $"{low:0.000}..{high:0.000}", patchLesions.Count, denseLesions.Count, matched];
    }

    /// <summary>Greedy one-to-one matching, most probable patch lesion first, to the nearest unmatched dense lesion in reach.</summary>
    private static int MatchLesions(IReadOnlyList<Lesion> reference, IReadOnlyList<Lesion> candidates, double reach)
    {
        var used = new bool[candidates.Count];
        var matched = 0;
        foreach (var lesion in reference.OrderByDescending(l => l.Probability))
        {
            var best = -1;
            var bestDistance = double.PositiveInfinity;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (used[i]) continue;
                var distance = Math.Sqrt(Math.Pow(candidates[i].X - lesion.X, 2) + Math.Pow(candidates[i].Y - lesion.Y, 2));
                if (distance <= reach && distance < bestDistance) { best = i; bestDistance = distance; }
            }
            if (best < 0) continue;
            used[best] = true;
            matched++;
        }
        return matched;
    }

    /// <summary>
    /// Whole batches spread evenly over the list (so over the slide's tissue), as few as give at least
    /// <paramref name="cells"/> cells (all of them if the list holds fewer).
    /// </summary>
    private static List<TileBatch> Spread(IReadOnlyList<TileBatch> batches, int cells)
    {
        if (batches.Count == 0) throw new InvalidDataException("no tissue batches to sample");
        var count = Math.Clamp((int)Math.Ceiling(cells / batches.Average(b => b.Cells.Count)), 1, batches.Count);
        while (true)
        {
            var chosen = count == 1
                ? [batches[batches.Count / 2]]
                : Enumerable.Range(0, count).Select(j => (int)Math.Round(j * (batches.Count - 1) / (double)(count - 1))).Distinct().Select(i => batches[i]).ToList();
            if (chosen.Sum(b => b.Cells.Count) >= cells || count == batches.Count) return chosen;
            count++;
        }
    }
}
