using System.Collections.Concurrent;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// Level-0 read throughput through OpenSlide and through the libjpeg-turbo tile path (both behind
/// <see cref="Slide.ReadRegion(long,long,int,int,int,Span{byte})"/>) against the raw JPEG decode rate of the same
/// slide's tiles: how much of a read is decoding, and how much is cache, compositing and conversion.
/// </summary>
internal static class ReadBenchmark
{
    /// <summary>The network's input side (MONAI/Clara: 224).</summary>
    internal const int PatchSide = 224;

    /// <summary>The patch-mode grid: MONAI bundle stride 64.</summary>
    internal const int Stride = 64;

    public sealed record Settings(string SlidePath, int Patches, int Regions, int RegionSide, int DecodeTiles, int Seed);

    public static void Run(Settings s)
    {
        using var slide = Slide.Open(s.SlidePath, SlideReadOptions.OpenSlideOnly);
        var tissue = TissueDetector.Detect(slide).Mask;
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, Stride);
        var cells = grid.ForegroundCells(tissue).ToArray();
        if (cells.Length == 0) throw new InvalidDataException($"{s.SlidePath}: no tissue found, nothing to read");
        PageCache.Warm(s.SlidePath);
        // The reader's own TIFF index and stream assembly (pathology/Slides), for the raw decode rate of the same tiles.
        using var tileReader = JpegTileReader.TryOpen(s.SlidePath, slide.Vendor, slide.Levels, SlideReadOptions.Default, out var declineReason);
        var tiff = tileReader?.ImageOf(0);

        Console.WriteLine($"## read {Path.GetFileName(s.SlidePath)}: {slide.Dimensions.Width}x{slide.Dimensions.Height}, " +
            $"{slide.Levels.Count} levels, level-0 tiles {(tiff is null ? $"not served by the fast path ({declineReason})" : $"{tiff.TileWidth}x{tiff.TileHeight} JPEG")}, {cells.Length} tissue cells at stride {Stride}");
        Console.WriteLine(Machine.Describe());
        using (var probe = Slide.Open(s.SlidePath)) Console.WriteLine($"fast path: {probe.PixelReader}");
        var table = new MarkdownTable("case", "threads", "n", "wall s", "cpu s", "items/s", "MP/s", "MP per cpu s", "x raw decode around it", "load before / after");
        // The raw rate's tiles, drawn apart from the reads' locations; decoded just before and after each fast-path case
        // at its thread count, so that its ratio to the raw rate does not move with this shared machine's speed.
        var jpegs = tileReader is null || tiff is null ? null : TissueTiles(tiff, tissue, s.DecodeTiles, new Random(s.Seed + 1))
            .Select(t => tileReader.TileStream(0, t) ?? throw new InvalidDataException($"{s.SlidePath}: tile {t} has no stream")).ToArray();
        if (jpegs is not null) Decode(jpegs[..Math.Min(8, jpegs.Length)], 1, tiff!); // warm-up
        Measured Around(int threads, Func<Measured> read, out double raw)
        {
            if (jpegs is null || tiff is null)
            {
                raw = double.NaN;
                return read();
            }
            var tilePixels = (double)tiff.TileWidth * tiff.TileHeight / 1e6;
            var before = Decode(jpegs, threads, tiff);
            var m = read();
            var after = Decode(jpegs, threads, tiff);
            raw = jpegs.Length * tilePixels * 2 / (before.WallSeconds + after.WallSeconds);
            return m;
        }

        var random = new Random(s.Seed);
        // Warm OpenSlide (first reads build its tile cache and libjpeg state): not timed.
        ReadPatches(slide, Sample(cells, 16, random).Select(c => grid.PatchOrigin(c, PatchSide)).ToArray(), 1);

        foreach (var threads in new[] { 1, 2 })
        {
            var origins = Sample(cells, s.Patches, random).Select(c => grid.PatchOrigin(c, PatchSide)).ToArray();
            var m = ReadPatches(slide, origins, threads);
            Row(table, $"ReadRegion {PatchSide}x{PatchSide}, random tissue", threads, origins.Length, m, PatchSide * PatchSide);
        }
        foreach (var threads in new[] { 1, 2 })
        {
            // Patch mode's own order: consecutive tissue cells, whose windows overlap (stride 64 < 224), so OpenSlide's cache hits.
            var start = random.Next(Math.Max(1, cells.Length - s.Patches));
            var origins = cells.Skip(start).Take(s.Patches).Select(c => grid.PatchOrigin(c, PatchSide)).ToArray();
            var m = ReadPatches(slide, origins, threads);
            Row(table, $"ReadRegion {PatchSide}x{PatchSide}, row-major tissue cells (patch mode order)", threads, origins.Length, m, PatchSide * PatchSide);
        }
        foreach (var threads in new[] { 1, 2 })
        {
            var origins = RandomRegions(slide, grid, cells, s.Regions, s.RegionSide, random);
            var m = ReadRegions(slide, origins, s.RegionSide, threads);
            Row(table, $"ReadRegion {s.RegionSide}x{s.RegionSide}, random tissue", threads, origins.Length, m, (double)s.RegionSide * s.RegionSide);
            if (threads == 1)
            {
                // The same kind of read without Slide's ARGB to RGB conversion: what OpenSlide itself costs.
                var argbOrigins = RandomRegions(slide, grid, cells, s.Regions, s.RegionSide, random);
                using var native = OpenSlideNative.Open(s.SlidePath);
                var argb = new uint[s.RegionSide * s.RegionSide];
                var n = Measured.Run(() =>
                {
                    foreach (var (x, y) in argbOrigins) ReadArgb(native, x, y, s.RegionSide, argb);
                });
                Row(table, $"openslide_read_region {s.RegionSide}x{s.RegionSide} ARGB only (no RGB conversion), random tissue", 1, argbOrigins.Length, n, (double)s.RegionSide * s.RegionSide);
            }
        }

        // The same reads through the libjpeg-turbo tile path: one reader, its decodes on `threads` threads for regions;
        // `threads` readers of one decode thread each for windows. A fresh slide per case: its tile cache starts cold.
        foreach (var (threads, locality) in new[] { 1, 2 }.SelectMany(t => new[] { (t, ReadLocality.Neighbours), (t, ReadLocality.Isolated) }))
        {
            using var fast = Slide.Open(s.SlidePath, new SlideReadOptions { DecodeThreads = 1 });
            var origins = Sample(cells, s.Patches, random).Select(c => grid.PatchOrigin(c, PatchSide)).ToArray();
            var m = Around(threads, () => ReadPatches(fast, origins, threads, locality), out var raw);
            Row(table, $"fast path {PatchSide}x{PatchSide}, random tissue, {Describe(locality)}", threads, origins.Length, m, PatchSide * PatchSide, raw);
        }
        foreach (var threads in new[] { 1, 2 })
        {
            using var fast = Slide.Open(s.SlidePath, new SlideReadOptions { DecodeThreads = 1 });
            var start = random.Next(Math.Max(1, cells.Length - s.Patches));
            var origins = cells.Skip(start).Take(s.Patches).Select(c => grid.PatchOrigin(c, PatchSide)).ToArray();
            var m = Around(threads, () => ReadPatches(fast, origins, threads), out var raw);
            Row(table, $"fast path {PatchSide}x{PatchSide}, row-major tissue cells (patch mode order)", threads, origins.Length, m, PatchSide * PatchSide, raw);
        }
        var regionOrigins = new List<(long X, long Y)[]>();
        // Random regions three ways: edge tiles decoded whole into the cache (which the sample's overlapping regions hit),
        // the same with no cache (every region on its own, as an isolated read meets the slide), and isolated reads
        // (edge tiles' covered rows only). Threads decode one region's tiles together, or read two regions side by side.
        var regionCases = new (string How, ReadLocality Locality, long CacheBytes)[]
        {
            ("reads with neighbours (edge tiles decoded whole, cached; the sample's regions overlap)", ReadLocality.Neighbours, new SlideReadOptions().TileCacheBytes),
            ("reads with neighbours, no tile cache (every region on its own)", ReadLocality.Neighbours, 0),
            ("isolated reads (of edge tiles only the part covered)", ReadLocality.Isolated, new SlideReadOptions().TileCacheBytes),
        };
        foreach (var (threads, readers) in new[] { (1, 1), (2, 1), (1, 2) })
        {
            var origins = RandomRegions(slide, grid, cells, s.Regions, s.RegionSide, random);
            if (threads == 1 && readers == 1) regionOrigins.Add(origins);
            foreach (var (how, locality, cacheBytes) in regionCases)
            {
                using var fast = Slide.Open(s.SlidePath, new SlideReadOptions { DecodeThreads = threads, TileCacheBytes = cacheBytes });
                var m = Around(threads * readers, () => ReadRegions(fast, origins, s.RegionSide, readers, locality), out var raw);
                var parallel = readers > 1 ? $"{readers} readers x 1 decode thread" : $"{threads} decode thread{(threads > 1 ? "s" : "")}";
                Row(table, $"fast path {s.RegionSide}x{s.RegionSide}, random tissue, {parallel}, {how}", threads * readers, origins.Length, m, (double)s.RegionSide * s.RegionSide, raw);
                if (fast.FastReads.Declined != 0) Console.WriteLine($"(fast path declined {fast.FastReads.Declined} reads)");
            }
        }
        // Dense inference's own reads: its regions in plan order (neighbours share their halo's tiles through the cache).
        var plan = TileBatchPlanner.PlanDense(s.SlidePath, grid, tissue, new InferenceOptions().RegionCells).Take(s.Regions * 2).ToArray();
        var planPixels = plan.Average(b => { var (w, h) = DenseGeometry.RegionPixels(b.Region!.Value, Stride, PatchSide, b.ContextMargin); return (double)w * h; });
        // Whole passes over the plan, each with a cold tile cache (a Slide opened before the timing), after one untimed pass.
        const int passes = 4;
        // Threads either decode one region's tiles together (decode threads) or read regions side by side, one decode
        // thread each, as SlideInference's readers do.
        var sharedEdges = new[] { 0, new SlideReadOptions().SharedEdgePixels };
        foreach (var (sharedEdge, threads, readers) in sharedEdges.SelectMany(e => new[] { (e, 1, 1), (e, 2, 1), (e, 1, 2) }))
        {
            var options = new SlideReadOptions { DecodeThreads = threads, SharedEdgePixels = sharedEdge };
            var buffers = new PixelBufferPool(readers);
            using (var warm = Slide.Open(s.SlidePath, options)) ReadPlan(warm, plan, readers, buffers);
            var slides = Enumerable.Range(0, passes).Select(_ => Slide.Open(s.SlidePath, options)).ToArray(); // opened outside the timing
            var m = Around(threads * readers, () => Measured.Run(() => { foreach (var fresh in slides) ReadPlan(fresh, plan, readers, buffers); }), out var raw);
            var decoded = slides.Sum(f => f.TilesDecoded);
            foreach (var fresh in slides) fresh.Dispose();
            var how = readers > 1 ? $"{readers} readers x 1 decode thread" : $"{threads} decode thread{(threads > 1 ? "s" : "")}";
            Row(table, $"fast path, dense regions in plan order, {how}, shared edge {sharedEdge} px ({passes} x {plan.Length}, mean {Math.Sqrt(planPixels):0} px square; " +
                $"{decoded / passes} tiles decoded a pass for {plan.Length * planPixels / TilePixels(tiff):0} tiles' worth of pixels read)", threads * readers, passes * plan.Length, m, planPixels, raw);
        }
        {
            var m = Measured.Run(() => { foreach (var b in plan) BatchReader.Read(slide, b); });
            Row(table, $"OpenSlide, dense regions in plan order ({plan.Length})", 1, plan.Length, m, planPixels);
        }

        if (tileReader is null || tiff is null)
        {
            Console.WriteLine($"(level 0 is not served by the fast path: {declineReason}; no raw decode rate)");
            return;
        }
        foreach (var threads in new[] { 1, 2 })
        {
            var m = Decode(jpegs!, threads, tiff);
            Row(table, $"tjDecompress2 {tiff.TileWidth}x{tiff.TileHeight} tile to RGB, random tissue tiles", threads, jpegs!.Length, m, (double)tiff.TileWidth * tiff.TileHeight);
        }
        var perPatch = Math.Pow(1 + (PatchSide - 1) / (double)tiff.TileWidth, 2);
        Console.WriteLine();
        Console.WriteLine($"A {PatchSide}x{PatchSide} window at a random offset touches {perPatch:0.00} tiles of {tiff.TileWidth}x{tiff.TileHeight} on average: " +
            $"a decode-bound random patch read costs {perPatch:0.00} tile decodes. Compressed tile size: mean {jpegs!.Average(j => j.Length) / 1024:0.0} KiB.");
        ReadProfile.Run(s.SlidePath, tileReader, tiff, regionOrigins[0], s.RegionSide);
    }

    private static double TilePixels(TiffImage? tiff) => tiff is null ? double.NaN : (double)tiff.TileWidth * tiff.TileHeight;

    // As SlideInference reads: into buffers of a pool, each given back once its batch is done with.
    internal static void ReadPlan(Slide slide, TileBatch[] plan, int readers, PixelBufferPool buffers) =>
        Parallel.ForEach(plan, new ParallelOptions { MaxDegreeOfParallelism = readers }, b => buffers.Return(BatchReader.Read(slide, b, buffers).Rgb));

    private static unsafe void ReadArgb(OpenSlideHandle handle, long x, long y, int side, uint[] argb)
    {
        fixed (uint* destination = argb) OpenSlideNative.ReadRegion(handle, destination, x, y, 0, side, side);
    }

    private static void Row(MarkdownTable table, string label, int threads, int n, Measured m, double pixelsEach, double rawMpPerS = double.NaN)
    {
        var mpPerS = n * pixelsEach / 1e6 / m.WallSeconds;
        table.Row(label, threads, n, m.WallSeconds, m.CpuSeconds, n / m.WallSeconds, mpPerS, n * pixelsEach / 1e6 / m.CpuSeconds,
            double.IsNaN(rawMpPerS) ? "" : $"{mpPerS / rawMpPerS:0.00} ({rawMpPerS:0})", $"{m.LoadBefore} / {m.LoadAfter}");
    }

    private static string Describe(ReadLocality locality) => locality == ReadLocality.Isolated
        ? "isolated reads (edge tiles decoded in part)"
        : "reads with neighbours (edge tiles decoded whole, cached)";

    private static Measured ReadPatches(Slide slide, (long X, long Y)[] origins, int threads, ReadLocality locality = ReadLocality.Neighbours) =>
        ReadRegions(slide, origins, PatchSide, threads, locality);

    // One buffer per reader, allocated and touched before the timing, as a caller that reads region after region keeps
    // one. Parallel.For's localInit allocates anew each time it replaces a worker task (about every 100 ms), and a fresh
    // 12 MB array's zeroing and page faults were timed as reading (isolated regions, one thread, AMD EPYC Zen 3, two runs
    // each: 0.78 and 0.86 of the raw rate so, 0.83 and 0.91 reusing buffers).
    internal static Measured ReadRegions(Slide slide, (long X, long Y)[] origins, int side, int threads, ReadLocality locality = ReadLocality.Neighbours)
    {
        var buffers = new ConcurrentBag<byte[]>(Enumerable.Range(0, threads).Select(_ =>
        {
            var buffer = new byte[side * side * 3];
            Array.Fill(buffer, (byte)1);
            return buffer;
        }));
        return Measured.Run(() => Parallel.For(0, origins.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            if (!buffers.TryTake(out var buffer)) throw new InvalidOperationException("more readers than buffers");
            slide.ReadRegion(origins[i].X, origins[i].Y, 0, side, side, buffer, locality);
            buffers.Add(buffer);
        }));
    }

    /// <summary>
    /// tjDecompress2 of in-memory streams into a reused tile buffer per thread: the raw decode rate. The buffer is the
    /// reader's own kind (JpegTileReader.NewTile), 16 bytes past a 32-byte boundary, where libjpeg-turbo writes with ordinary stores; at a 32-byte boundary it uses
    /// non-temporal ones and decodes 3-8 % slower here (bench/jpeg-parts.sh), so a managed array's chance alignment made
    /// the rate vary.
    /// </summary>
    internal static unsafe Measured Decode(byte[][] jpegs, int threads, TiffImage tiff) =>
        Measured.Run(() => Parallel.For(0, jpegs.Length, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Decoder: new TurboJpegDecoder(), Tile: JpegTileReader.NewTile(tiff.TileWidth * tiff.TileHeight * 3)),
            (i, _, local) =>
            {
                if (!local.Decoder.TryHeader(jpegs[i], out var header)) throw new InvalidDataException($"tile stream {i}: {local.Decoder.LastError()}");
                fixed (byte* tile = local.Tile)
                {
                    if (!local.Decoder.TryDecode(jpegs[i], header.Width, header.Height, tile + JpegTileReader.PixelsAt(local.Tile), header.Width * 3))
                        throw new InvalidDataException($"tile stream {i}: {local.Decoder.LastError()}");
                }
                return local;
            },
            local => local.Decoder.Dispose()));

    /// <summary>Level-0 tiles whose centre lies on tissue, a random sample of at most <paramref name="count"/>.</summary>
    internal static int[] TissueTiles(TiffImage tiff, SlideMask tissue, int count, Random random)
    {
        var onTissue = new List<int>();
        for (var ty = 0; ty < tiff.TilesDown; ty++)
        {
            for (var tx = 0; tx < tiff.TilesAcross; tx++)
            {
                var mx = (int)Math.Min(tissue.Width - 1, (long)((tx + 0.5) * tiff.TileWidth / tissue.Downsample));
                var my = (int)Math.Min(tissue.Height - 1, (long)((ty + 0.5) * tiff.TileHeight / tissue.Downsample));
                if (tissue[mx, my] != 0) onTissue.Add(ty * tiff.TilesAcross + tx);
            }
        }
        return Sample(onTissue.ToArray(), count, random);
    }

    internal static T[] Sample<T>(T[] items, int count, Random random)
    {
        if (count >= items.Length) return [.. items];
        var copy = (T[])items.Clone();
        random.Shuffle(copy);
        return copy[..count];
    }

    /// <summary>Regions of side <paramref name="side"/> centred on <paramref name="count"/> random tissue cells, kept on the slide.</summary>
    internal static (long X, long Y)[] RandomRegions(Slide slide, CellGrid grid, Cell[] cells, int count, int side, Random random) =>
        Sample(cells, count, random).Select(c => grid.Centre(c))
            .Select(c => (Clamp((long)c.X - side / 2, slide.Dimensions.Width - side), Clamp((long)c.Y - side / 2, slide.Dimensions.Height - side)))
            .ToArray();

    private static long Clamp(long value, long max) => Math.Max(0, Math.Min(value, max));
}
