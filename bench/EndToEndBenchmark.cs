using System.Diagnostics;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// A whole slide through <see cref="SlideInference.RunAsync"/> against each of its stages alone: reading every
/// batch (<see cref="BatchReader"/>, on the same number of readers) and computing every batch on input of the
/// same shapes without reading. With perfect overlap the end-to-end time equals the slower stage's.
/// </summary>
internal static class EndToEndBenchmark
{
    public const string StageEndToEnd = "e2e", StageRead = "read", StageCompute = "compute";

    public sealed record Settings(string SlidePath, string? WeightsPath, string Precision, InferenceOptions Options,
        int Threads, int RegionRows, IReadOnlyList<string> Stages, bool WarmShapes);

    private sealed record StageResult(string Stage, Measured Time, double PeakRssMiB);

    public static async Task Run(Settings s)
    {
        if (s.Stages.FirstOrDefault(st => st is not (StageEndToEnd or StageRead or StageCompute)) is { } unknown)
            throw new ArgumentException($"unknown stage '{unknown}' (expected {StageEndToEnd}, {StageRead} or {StageCompute})");
        s.Options.Validate();
        BenchModel.SetThreads(s.Threads);
        var options = s.Options;
        using var slide = Slide.Open(s.SlidePath);
        var tissue = TissueDetector.Detect(slide).Mask;
        if (s.RegionRows > 0) tissue = TopRows(tissue, options.Stride, s.RegionRows * options.RegionCells, options.RegionCells);
        var batches = SlideInference.Plan(slide, tissue, options);
        if (batches.Count == 0) throw new InvalidDataException($"{s.SlidePath}: no tissue batches");
        long cells = batches.Sum(b => (long)b.Cells.Count);
        var shapes = batches.Select(InputShape).Distinct().Count();
        PageCache.Warm(s.SlidePath);

        using var computer = new BatchComputer(BenchModel.Create(s.WeightsPath), ComputeDevice.Parse("cpu", s.Precision));
        // One forward pass before timing (libtorch and oneDNN set-up); its real pixels also texture the compute-only input.
        var sample = BatchReader.Read(slide, batches[batches.Count / 2]);
        computer.Compute(sample);
        // Every new input shape costs libtorch/oneDNN set-up on its first pass; whichever stage came first would pay it.
        var warm = s.WarmShapes
            ? Measured.Run(() =>
            {
                foreach (var batch in batches.DistinctBy(InputShape)) computer.Compute(ComputeInput(batch, sample.Rgb, []));
            })
            : default;

        Console.WriteLine($"## e2e {Path.GetFileName(s.SlidePath)}: {slide.Dimensions.Width}x{slide.Dimensions.Height}, {options.Mode} stride {options.Stride}, " +
            $"{s.Precision}, region {options.RegionCells} cells, readers {options.Readers}, prefetch {options.Prefetch}, " +
            $"{batches.Count} batches ({shapes} input shapes), {cells} cells{(s.RegionRows > 0 ? $" (first {s.RegionRows} region rows only)" : "")}, {BenchModel.Describe(s.WeightsPath)}");
        Console.WriteLine(s.WarmShapes ? $"warm-up: one pass per input shape before timing, {warm.WallSeconds:0.0} s" : "no warm-up per input shape: the first stage pays each shape's set-up");
        Console.WriteLine(Machine.Describe());
        var table = new MarkdownTable("stage", "batches", "cells", "wall s", "cpu s", "cores busy", "cells/s", "peak RSS MiB", "load before / after");
        var results = new List<StageResult>();

        foreach (var stage in s.Stages)
        {
            results.Add(stage switch
            {
                StageEndToEnd => await Stage(stage, () => SlideInference.RunAsync(slide, tissue, computer, options)),
                StageRead => await Stage(stage, () => Parallel.ForEachAsync(batches,
                    new ParallelOptions { MaxDegreeOfParallelism = options.Readers },
                    (batch, _) =>
                    {
                        BatchReader.Read(slide, batch);
                        return ValueTask.CompletedTask;
                    })),
                StageCompute => await ComputeOnly(computer, batches, sample.Rgb),
                _ => throw new UnreachableException(stage),
            });
            Report(table, results[^1], batches.Count, cells);
        }

        var e2e = results.FirstOrDefault(r => r.Stage == StageEndToEnd);
        var read = results.FirstOrDefault(r => r.Stage == StageRead);
        var compute = results.FirstOrDefault(r => r.Stage == StageCompute);
        if (e2e is not null && read is not null && compute is not null)
        {
            var slowest = read.Time.WallSeconds > compute.Time.WallSeconds ? read : compute;
            // Reading and compute share the cores: no overlap can finish before their CPU work spread over all cores.
            var cpuBound = (read.Time.CpuSeconds + compute.Time.CpuSeconds) / Environment.ProcessorCount;
            Console.WriteLine();
            Console.WriteLine($"end-to-end / slowest stage ({slowest.Stage}): {e2e.Time.WallSeconds / slowest.Time.WallSeconds:0.00} (goal <= 1.2); " +
                $"end-to-end / sum of stages: {e2e.Time.WallSeconds / (read.Time.WallSeconds + compute.Time.WallSeconds):0.00}; " +
                $"CPU floor (stage CPU seconds / {Environment.ProcessorCount} cores) {cpuBound:0.0} s, end-to-end / floor {e2e.Time.WallSeconds / cpuBound:0.00}; " +
                $"CPU seconds end-to-end / (read + compute): {e2e.Time.CpuSeconds / (read.Time.CpuSeconds + compute.Time.CpuSeconds):0.00} (the pipeline's own overhead, robust to load)");
        }
    }

    private static Task<StageResult> ComputeOnly(BatchComputer computer, IReadOnlyList<TileBatch> batches, byte[] texture)
    {
        var inputs = ComputeInputs(batches, texture);
        return Stage(StageCompute, () =>
        {
            foreach (var batch in batches) computer.Compute(inputs[batch.Index]);
            return Task.CompletedTask;
        });
    }

    private static async Task<StageResult> Stage(string name, Func<Task> action)
    {
        var canReset = Machine.ResetPeakRss();
        var time = await Measured.RunAsync(action);
        return new StageResult(name, time, canReset ? Machine.PeakRssMiB() : double.NaN);
    }

    private static void Report(MarkdownTable table, StageResult r, int batches, long cells) =>
        table.Row(r.Stage, batches, cells, r.Time.WallSeconds, r.Time.CpuSeconds, r.Time.Cores, cells / r.Time.WallSeconds, r.PeakRssMiB,
            $"{r.Time.LoadBefore} / {r.Time.LoadAfter}");

    /// <summary>
    /// Each batch's input with its real shape, filled by repeating the pixels of one real region (H&amp;E
    /// statistics, no reading): buffers are shared between batches of the same shape.
    /// </summary>
    private static Dictionary<int, BatchPixels> ComputeInputs(IReadOnlyList<TileBatch> batches, byte[] texture)
    {
        var buffers = new Dictionary<(int, int, int), byte[]>();
        return batches.ToDictionary(b => b.Index, b => ComputeInput(b, texture, buffers));
    }

    private static BatchPixels ComputeInput(TileBatch batch, byte[] texture, Dictionary<(int, int, int), byte[]> buffers)
    {
        var shape = InputShape(batch);
        if (!buffers.TryGetValue(shape, out var rgb))
        {
            rgb = new byte[checked(shape.Count * shape.Width * shape.Height * 3)];
            for (var offset = 0; offset < rgb.Length; offset += texture.Length)
                texture.AsSpan(0, Math.Min(texture.Length, rgb.Length - offset)).CopyTo(rgb.AsSpan(offset));
            buffers[shape] = rgb;
        }
        return new BatchPixels(batch, rgb, shape.Count, shape.Width, shape.Height, 0, 0);
    }

    /// <summary>The network input of a batch: images, width, height.</summary>
    private static (int Count, int Width, int Height) InputShape(TileBatch batch)
    {
        if (batch.Mode == InferenceMode.Patch) return (batch.Cells.Count, batch.PatchSize, batch.PatchSize);
        var (width, height) = DenseGeometry.RegionPixels(batch.Region!.Value, batch.Stride, batch.PatchSize);
        return (1, width, height);
    }

    /// <summary>The mask with tissue kept only where cells of the first <paramref name="cellRows"/> rows sample it: a quick partial run.</summary>
    // The first cellRows cell rows from the region row where tissue starts (a large slide's top rows are often glass).
    private static SlideMask TopRows(SlideMask tissue, int stride, int cellRows, int regionCells)
    {
        var firstMaskRow = Enumerable.Range(0, tissue.Height).FirstOrDefault(y => tissue.Data.AsSpan(y * tissue.Width, tissue.Width).ContainsAnyExcept((byte)0));
        var firstCellRow = (long)(firstMaskRow * tissue.Downsample / stride) / regionCells * regionCells;
        var firstRow = (int)Math.Min(tissue.Height, (long)Math.Ceiling((firstCellRow - 0.5) * stride / tissue.Downsample));
        var lastRow = (int)Math.Min(tissue.Height - 1, (long)((firstCellRow + cellRows - 0.5) * stride / tissue.Downsample));
        var data = (byte[])tissue.Data.Clone();
        Array.Clear(data, 0, Math.Max(0, firstRow) * tissue.Width);
        Array.Clear(data, (lastRow + 1) * tissue.Width, data.Length - (lastRow + 1) * tissue.Width);
        return new SlideMask(tissue.Width, tissue.Height, tissue.Level, tissue.Downsample, data);
    }

}
