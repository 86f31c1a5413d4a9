using OrleansPathology.Slides;

namespace OrleansPathology.Bench;

/// <summary>
/// Where a fast-path region read's time goes, on the same random regions: the tiles they touch (geometry: a region
/// not aligned to tiles decodes whole edge tiles for part of their pixels), reading the tiles' streams from the file,
/// parsing their headers, decoding them into a cache-resident tile buffer (the raw rate), decoding them into place in
/// the region's buffer (interior tiles at the region's pitch, edge tiles into a tile then copied), and the whole read.
/// CPU seconds per stage; output megapixels are the regions' pixels, so each row reads as a rate for the same work.
/// </summary>
internal static class ReadProfile
{
    public static unsafe void Run(string slidePath, JpegTileReader reader, TiffImage tiff, (long X, long Y)[] origins, int side)
    {
        var tw = tiff.TileWidth;
        var th = tiff.TileHeight;
        var regions = origins.Select(o => Touched(tiff, o.X, o.Y, side)).ToArray();
        var tileCount = regions.Sum(r => r.Length);
        var outputMp = origins.Length * (double)side * side / 1e6;
        var decodedMp = tileCount * (double)tw * th / 1e6;
        Console.WriteLine();
        Console.WriteLine($"### Profile of the fast path on {origins.Length} random {side}x{side} regions: {tileCount} tiles touched, " +
            $"{tileCount / (double)origins.Length:0.0} per region for {side * side / (double)(tw * th):0.0} tiles' worth of pixels " +
            $"(geometry alone caps output MP at {outputMp / decodedMp:0.00}x the decoded MP without cache hits)");
        var table = new MarkdownTable("stage", "threads", "wall s", "cpu s", "us per tile (cpu)", "output MP per cpu s", "decoded MP per cpu s", "load before / after");
        void Row(string stage, int threads, Measured m) => table.Row(stage, threads, m.WallSeconds, m.CpuSeconds, m.CpuSeconds * 1e6 / tileCount,
            outputMp / m.CpuSeconds, decodedMp / m.CpuSeconds, $"{m.LoadBefore} / {m.LoadAfter}");

        byte[][][] streams = [];
        Row("read each tile's stream (pread, tables prepended)", 1,
            Measured.Run(() => streams = regions.Select(r => r.Select(t => reader.TileStream(0, t.Index)!).ToArray()).ToArray()));
        var all = streams.SelectMany(r => r).ToArray();
        using (var decoder = new TurboJpegDecoder())
        {
            Row("parse each stream's header (tjDecompressHeader3)", 1, Measured.Run(() =>
            {
                foreach (var jpeg in all) decoder.TryHeader(jpeg, out _);
            }));
        }
        foreach (var threads in new[] { 1, 2 })
            Row("decode into a reused tile buffer (the raw rate)", threads, ReadBenchmark.Decode(all, threads, tiff));

        var region = new byte[side * side * 3];
        Row("decode into place (interior at the region's pitch, edge tiles via a tile and row copies)", 1, Measured.Run(() =>
        {
            using var decoder = new TurboJpegDecoder();
            // As the reader's cache tiles: 16 bytes past a 32-byte boundary.
            var tile = JpegTileReader.NewTile(tw * th * 3);
            var at = JpegTileReader.PixelsAt(tile);
            for (var r = 0; r < regions.Length; r++)
            {
                var (ox, oy) = origins[r];
                for (var i = 0; i < regions[r].Length; i++)
                {
                    var (_, tx, ty) = regions[r][i];
                    var jpeg = streams[r][i];
                    decoder.TryHeader(jpeg, out var header);
                    if (tx >= ox && ty >= oy && tx + tw <= ox + side && ty + th <= oy + side)
                    {
                        fixed (byte* d = region) decoder.TryDecode(jpeg, tw, th, d + ((ty - oy) * side + (tx - ox)) * 3, side * 3);
                        continue;
                    }
                    fixed (byte* t = tile) decoder.TryDecode(jpeg, tw, th, t + at, tw * 3);
                    var x0 = Math.Max(ox, tx);
                    var x1 = Math.Min(ox + side, tx + tw);
                    for (var y = Math.Max(oy, ty); y < Math.Min(oy + side, ty + th); y++)
                        tile.AsSpan(at + (int)(((y - ty) * tw + (x0 - tx)) * 3), (int)(x1 - x0) * 3).CopyTo(region.AsSpan((int)(((y - oy) * side + (x0 - ox)) * 3)));
                }
            }
        }));
        if (JpegPartDecoder.Available)
        {
            Row("decode into place, of edge tiles only the part covered (libopath_jpeg)", 1, Measured.Run(() =>
            {
                using var whole = new TurboJpegDecoder();
                using var part = new JpegPartDecoder();
                var space = tiff.Photometric == TiffImage.PhotometricRgb ? JpegColourSpace.Rgb : JpegColourSpace.YCbCr;
                for (var r = 0; r < regions.Length; r++)
                {
                    var (ox, oy) = origins[r];
                    for (var i = 0; i < regions[r].Length; i++)
                    {
                        var (_, tx, ty) = regions[r][i];
                        var jpeg = streams[r][i];
                        var (x0, y0) = (Math.Max(ox, tx), Math.Max(oy, ty));
                        var (x1, y1) = (Math.Min(ox + side, tx + tw), Math.Min(oy + side, ty + th));
                        fixed (byte* d = region)
                        {
                            var at = d + ((y0 - oy) * side + (x0 - ox)) * 3;
                            if (x1 - x0 == tw && y1 - y0 == th)
                            {
                                whole.TryHeader(jpeg, out _);
                                whole.TryDecode(jpeg, tw, th, at, side * 3);
                            }
                            else if (!part.TryDecode(jpeg, tw, th, space, (int)(x0 - tx), (int)(y0 - ty), (int)(x1 - x0), (int)(y1 - y0), at, side * 3))
                                throw new InvalidDataException($"tile at ({tx}, {ty}): {part.LastError()}");
                        }
                    }
                }
            }));
        }
        foreach (var threads in new[] { 1, 2 })
        {
            // A fresh slide: its decoded-tile cache starts cold, as in the read table above.
            using var slide = Slide.Open(slidePath, new SlideReadOptions { DecodeThreads = threads });
            Row("the whole fast-path read (Slide.ReadRegion)", threads, Measured.Run(() =>
            {
                foreach (var (x, y) in origins) slide.ReadRegion(x, y, 0, side, side, region);
            }));
        }
    }

    // The level-0 tiles a region touches: index and top-left pixel.
    private static (long Index, long X, long Y)[] Touched(TiffImage tiff, long x, long y, int side)
    {
        var list = new List<(long, long, long)>();
        for (var ty = Math.Max(0, y) / tiff.TileHeight; ty <= Math.Min(tiff.Height - 1, y + side - 1) / tiff.TileHeight; ty++)
            for (var tx = Math.Max(0, x) / tiff.TileWidth; tx <= Math.Min(tiff.Width - 1, x + side - 1) / tiff.TileWidth; tx++)
                list.Add((ty * tiff.TilesAcross + tx, tx * tiff.TileWidth, ty * tiff.TileHeight));
        return [.. list];
    }
}
