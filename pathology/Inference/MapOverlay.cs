using System.IO.Compression;
using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>
/// Writes a probability map as a slide-aligned overlay: a tiled, pyramidal RGBA TIFF (deflate), colour-mapped with the
/// heatmap's blue-to-red ramp, fully transparent where nothing was computed. Each map cell is <see cref="PixelsPerCell"/>
/// overlay pixels, and the resolution tags say how many micrometres one overlay pixel spans (the slide's um/px times
/// stride / PixelsPerCell), so viewers that place images by physical size (ASAP, QuPath, OpenSlide's mpp) line it up
/// with the slide from its top-left corner. Reduced levels halve down to one tile.
/// </summary>
public static class MapOverlay
{
    /// <summary>Overlay pixels per map cell side: 4 keeps cell edges crisp when zoomed in without a level-0-sized file.</summary>
    public const int PixelsPerCell = 4;

    /// <summary>Opacity of computed cells: tissue stays visible under the colour.</summary>
    public const byte Opacity = 170;

    private const int TileSize = 256;

    /// <param name="micronsPerPixel">The slide's level-0 resolution; null writes a nominal 1 um/px.</param>
    public static void Write(string path, ProbabilityMap map, double? micronsPerPixel)
    {
        // One pixel per cell, coloured. The levels at 4, 2 and 1 px per cell are drawn from it tile by tile (halving
        // 2x2 blocks of one colour gives that colour back), so no level-sized image is ever held: 156 MB at 4 px per
        // cell for a 100000x100000 slide's map.
        var cells = new byte[checked(map.Width * map.Height * 4)];
        for (var y = 0; y < map.Height; y++)
        {
            for (var x = 0; x < map.Width; x++)
            {
                var p = map[x, y];
                if (float.IsNaN(p)) continue; // transparent black
                var (r, g, b) = HeatmapRenderer.Ramp(p);
                var at = (y * map.Width + x) * 4;
                (cells[at], cells[at + 1], cells[at + 2], cells[at + 3]) = (r, g, b, Opacity);
            }
        }

        var levelMicrons = (micronsPerPixel ?? 1.0) * map.Stride / PixelsPerCell;
        var temporary = path + ".partial";
        using (var tiff = new BigTiffWriter(temporary))
        {
            var directories = new List<TiffDirectory>();
            var (source, sourceWidth, sourceHeight, scale) = (cells, map.Width, map.Height, PixelsPerCell);
            for (var index = 0; ; index++)
            {
                var (w, h) = (sourceWidth * scale, sourceHeight * scale);
                directories.Add(WriteLevel(tiff, source, sourceWidth, scale, w, h, index > 0, 10_000 / levelMicrons,
                    index == 0 ? $"OrleansPathology tumour probability overlay, stride {map.Stride}, {PixelsPerCell} px per cell" : null));
                if (w <= TileSize && h <= TileSize) break;
                if (scale > 1) scale /= 2;
                else (source, sourceWidth, sourceHeight) = Halve(source, sourceWidth, sourceHeight);
                levelMicrons *= 2;
            }
            tiff.Finish(directories);
        }
        File.Move(temporary, path, overwrite: true);
    }

    // A level whose pixel (x, y) is the source's pixel (x / scale, y / scale), tile by tile.
    private static TiffDirectory WriteLevel(BigTiffWriter tiff, byte[] source, int sourceWidth, int scale, int width, int height,
        bool reduced, double pixelsPerCentimetre, string? description)
    {
        var across = (width + TileSize - 1) / TileSize;
        var down = (height + TileSize - 1) / TileSize;
        var offsets = new long[across * down];
        var counts = new long[offsets.Length];
        var tile = new byte[TileSize * TileSize * 4];
        using var compressed = new MemoryStream();
        for (var ty = 0; ty < down; ty++)
        {
            for (var tx = 0; tx < across; tx++)
            {
                // Edge tiles are padded with transparent pixels: TIFF tiles are always whole.
                Array.Clear(tile);
                var columns = Math.Min(TileSize, width - tx * TileSize);
                for (var y = 0; y < TileSize && ty * TileSize + y < height; y++)
                {
                    var from = source.AsSpan((ty * TileSize + y) / scale * sourceWidth * 4);
                    var to = tile.AsSpan(y * TileSize * 4, columns * 4);
                    if (scale == 1)
                    {
                        from.Slice(tx * TileSize * 4, columns * 4).CopyTo(to);
                        continue;
                    }
                    for (var x = 0; x < columns; x++) from.Slice((tx * TileSize + x) / scale * 4, 4).CopyTo(to[(x * 4)..]);
                }
                compressed.SetLength(0);
                using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(tile);
                var i = ty * across + tx;
                offsets[i] = tiff.Append(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
                counts[i] = compressed.Length;
            }
        }
        return new TiffDirectory(width, height, TileSize, offsets, counts, reduced, pixelsPerCentimetre, description, TileEncoding.RgbaDeflate);
    }

    // 2x2 box average of premultiplied colour, so transparent pixels do not darken the edges of computed areas.
    private static (byte[] Level, int Width, int Height) Halve(byte[] rgba, int width, int height)
    {
        var (w, h) = ((width + 1) / 2, (height + 1) / 2);
        var output = new byte[w * h * 4];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                int r = 0, g = 0, b = 0, a = 0;
                for (var dy = 0; dy < 2; dy++)
                {
                    for (var dx = 0; dx < 2; dx++)
                    {
                        var (sx, sy) = (Math.Min(width - 1, 2 * x + dx), Math.Min(height - 1, 2 * y + dy));
                        var at = (sy * width + sx) * 4;
                        var alpha = rgba[at + 3];
                        r += rgba[at] * alpha;
                        g += rgba[at + 1] * alpha;
                        b += rgba[at + 2] * alpha;
                        a += alpha;
                    }
                }
                var o = (y * w + x) * 4;
                if (a == 0) continue;
                (output[o], output[o + 1], output[o + 2], output[o + 3]) = ((byte)(r / a), (byte)(g / a), (byte)(b / a), (byte)((a + 2) / 4));
            }
        }
        return (output, w, h);
    }
}
