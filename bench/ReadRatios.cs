using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// The reader's rate over the raw tile-decode rate, measured in many short rounds: this shared machine's speed moves
/// by a third within a minute, so one ratio per case (opath-bench read) landed anywhere in 0.77-0.93 over seven runs of
/// one case (BENCHMARKS.md, issue 12, session 11). Each round measures every case between two raw decodes at its thread
/// count; the table gives each case's median and quartiles.
/// </summary>
internal static class ReadRatios
{
    public sealed record Settings(string SlidePath, int Regions, int RegionSide, int DecodeTiles, int Rounds, int Seed);

    private sealed record Case(string Name, int DecodeThreads, int Readers, Func<Slide, PixelBufferPool, Measured> Read, double MegapixelsRead);

    public static void Run(Settings s)
    {
        using var slide = Slide.Open(s.SlidePath, SlideReadOptions.OpenSlideOnly);
        var tissue = TissueDetector.Detect(slide).Mask;
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, ReadBenchmark.Stride);
        var cells = grid.ForegroundCells(tissue).ToArray();
        if (cells.Length == 0) throw new InvalidDataException($"{s.SlidePath}: no tissue found, nothing to read");
        PageCache.Warm(s.SlidePath);
        using var tileReader = JpegTileReader.TryOpen(s.SlidePath, slide.Vendor, slide.Levels, SlideReadOptions.Default, out var why)
            ?? throw new InvalidDataException($"{s.SlidePath}: level 0 is not served by the fast path ({why}), nothing to compare");
        var tiff = tileReader.ImageOf(0)!;
        var random = new Random(s.Seed);
        var jpegs = ReadBenchmark.TissueTiles(tiff, tissue, s.DecodeTiles, new Random(s.Seed + 1))
            .Select(t => tileReader.TileStream(0, t) ?? throw new InvalidDataException($"{s.SlidePath}: tile {t} has no stream")).ToArray();
        var origins = ReadBenchmark.RandomRegions(slide, grid, cells, s.Regions, s.RegionSide, random);
        var plan = TileBatchPlanner.PlanDense(s.SlidePath, grid, tissue, new InferenceOptions().RegionCells).Take(s.Regions).ToArray();
        var regionMp = origins.Length * (double)s.RegionSide * s.RegionSide / 1e6;
        var planMp = plan.Sum(b => { var (w, h) = DenseGeometry.RegionPixels(b.Region!.Value, ReadBenchmark.Stride, ReadBenchmark.PatchSide, b.ContextMargin); return (double)w * h; }) / 1e6;

        Measured Isolated(Slide fast, int readers) => ReadBenchmark.ReadRegions(fast, origins, s.RegionSide, readers, ReadLocality.Isolated);
        Measured InPlanOrder(Slide fast, PixelBufferPool buffers, int readers) => Measured.Run(() => ReadBenchmark.ReadPlan(fast, plan, readers, buffers));
        var cases = new[]
        {
            new Case("random regions, isolated reads, 1 decode thread", 1, 1, (f, _) => Isolated(f, 1), regionMp),
            new Case("random regions, isolated reads, 2 decode threads", 2, 1, (f, _) => Isolated(f, 1), regionMp),
            new Case("random regions, isolated reads, 2 readers x 1 decode thread", 1, 2, (f, _) => Isolated(f, 2), regionMp),
            new Case("dense regions in plan order, 1 decode thread", 1, 1, (f, b) => InPlanOrder(f, b, 1), planMp),
            new Case("dense regions in plan order, 2 decode threads", 2, 1, (f, b) => InPlanOrder(f, b, 1), planMp),
            new Case("dense regions in plan order, 2 readers x 1 decode thread", 1, 2, (f, b) => InPlanOrder(f, b, 2), planMp),
        };
        Console.WriteLine($"## read ratios {Path.GetFileName(s.SlidePath)}: {origins.Length} random {s.RegionSide} px regions, {plan.Length} dense regions " +
            $"in plan order, raw rate of {jpegs.Length} tissue tiles, {s.Rounds} rounds");
        Console.WriteLine(Machine.Describe());

        // One buffer pool per case, kept across rounds: the untimed first round allocates its buffers.
        var pools = cases.Select(c => new PixelBufferPool(c.Readers)).ToArray();
        var ratios = cases.Select(_ => new List<double>()).ToArray();
        var raws = cases.Select(_ => new List<double>()).ToArray();
        var tileMp = (double)tiff.TileWidth * tiff.TileHeight / 1e6;
        ReadBenchmark.Decode(jpegs, 1, tiff); // warm-up
        for (var round = 0; round < s.Rounds + 1; round++)
        {
            for (var k = 0; k < cases.Length; k++)
            {
                var c = cases[k];
                var threads = c.DecodeThreads * c.Readers;
                // A fresh Slide per read: its decoded-tile cache starts cold, opened outside the timing.
                using var fast = Slide.Open(s.SlidePath, new SlideReadOptions { DecodeThreads = c.DecodeThreads });
                var before = ReadBenchmark.Decode(jpegs, threads, tiff);
                var read = c.Read(fast, pools[k]);
                var after = ReadBenchmark.Decode(jpegs, threads, tiff);
                if (round == 0) continue; // the first round warms the JIT and the buffer pools
                var raw = jpegs.Length * tileMp * 2 / (before.WallSeconds + after.WallSeconds);
                raws[k].Add(raw);
                ratios[k].Add(c.MegapixelsRead / read.WallSeconds / raw);
            }
        }
        var table = new MarkdownTable("case", "threads", "x raw decode: median", "quartiles", "range", "raw MP/s: median (range)");
        for (var k = 0; k < cases.Length; k++)
        {
            var r = ratios[k].Order().ToArray();
            var w = raws[k].Order().ToArray();
            table.Row(cases[k].Name, cases[k].DecodeThreads * cases[k].Readers, $"{Quantile(r, 0.5):0.00}", $"{Quantile(r, 0.25):0.00}-{Quantile(r, 0.75):0.00}",
                $"{r[0]:0.00}-{r[^1]:0.00}", $"{Quantile(w, 0.5):0} ({w[0]:0}-{w[^1]:0})");
        }
    }

    private static double Quantile(double[] sorted, double q)
    {
        var at = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(at);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }
}
