using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>
/// Writes a probability map as a tiled 8-bit greyscale TIFF (255 = probability 1, 0 = zero or not computed)
/// whose resolution tags say one map pixel spans <c>stride</c> slide pixels, so QuPath and ASAP can scale
/// it over the slide as an overlay.
/// </summary>
public static class MapTiff
{
    private const int TileSize = 256;

    /// <param name="micronsPerPixel">The slide's level-0 resolution; null writes a nominal 1 um/px.</param>
    public static void Write(string path, ProbabilityMap map, double? micronsPerPixel)
    {
        var bytes = HeatmapRenderer.ToBytes(map);
        var tilesAcross = (map.Width + TileSize - 1) / TileSize;
        var tilesDown = (map.Height + TileSize - 1) / TileSize;
        var offsets = new long[tilesAcross * tilesDown];
        var counts = new long[offsets.Length];
        var tile = new byte[TileSize * TileSize];
        var temporary = path + ".partial";
        using (var tiff = new BigTiffWriter(temporary))
        {
            for (var ty = 0; ty < tilesDown; ty++)
            {
                for (var tx = 0; tx < tilesAcross; tx++)
                {
                    // Edge tiles are padded with zeros: TIFF tiles are always whole.
                    Array.Clear(tile);
                    for (var y = 0; y < TileSize && ty * TileSize + y < map.Height; y++)
                    {
                        var row = (ty * TileSize + y) * map.Width + tx * TileSize;
                        var width = Math.Min(TileSize, map.Width - tx * TileSize);
                        bytes.AsSpan(row, width).CopyTo(tile.AsSpan(y * TileSize));
                    }
                    var i = ty * tilesAcross + tx;
                    offsets[i] = tiff.Append(tile);
                    counts[i] = tile.Length;
                }
            }
            var pixelsPerCentimetre = 10_000 / ((micronsPerPixel ?? 1.0) * map.Stride);
            tiff.Finish([new TiffDirectory(map.Width, map.Height, TileSize, offsets, counts, IsReducedResolution: false,
                pixelsPerCentimetre, $"OrleansPathology tumour probability map, stride {map.Stride}", TileEncoding.Gray8)]);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
