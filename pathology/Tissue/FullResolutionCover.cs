using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// A reference for a slide's tissue mask from its level 0, where stain and glass separate cleanly (nuclei, fibres and
/// the glass between them are each many pixels wide): each mask cell's share of level-0 pixels more saturated than
/// the Otsu threshold of level 0's saturation. A cell is truly tissue when that share reaches a cover
/// (<see cref="Truth"/>), as a drawn scene's pixel is when half of it is tissue. Reads level 0 in strips twice
/// (histogram, then counts): for the small real slides that benchmarks and tests judge the 64x masks by.
/// </summary>
public static class FullResolutionCover
{
    private const int StripRows = 256;

    /// <summary>Each cell's share (0 to 1) of level-0 tissue, cells <paramref name="cellSide"/> level-0 pixels square, row-major.</summary>
    public static double[] Shares(Slide slide, int width, int height, int cellSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cellSide, 1);
        var level0 = slide.Levels[0];
        if ((long)width * cellSide < level0.Width - cellSide || (long)height * cellSide < level0.Height - cellSide)
            throw new SlideException(slide.Path, $"a {width}x{height} grid of {cellSide}-pixel cells does not cover level 0 ({level0.Width}x{level0.Height})");
        var histogram = new long[Otsu.Bins];
        ForEachStrip(slide, (_, strip) =>
        {
            var p = strip.Pixels;
            for (var i = 0; i < p.Length; i += 3) histogram[HsvSaturation.Of(p[i], p[i + 1], p[i + 2])]++;
        });
        var threshold = Otsu.Threshold(histogram);

        var tissue = new long[width * height];
        var all = new long[width * height];
        ForEachStrip(slide, (y0, strip) =>
        {
            var p = strip.Pixels;
            for (var y = 0; y < strip.Height; y++)
            {
                var cy = (y0 + y) / cellSide;
                if (cy >= height) break;
                for (var x = 0; x < strip.Width; x++)
                {
                    var cx = x / cellSide;
                    if (cx >= width) break;
                    var i = (y * strip.Width + x) * 3;
                    all[cy * width + cx]++;
                    if (HsvSaturation.Of(p[i], p[i + 1], p[i + 2]) > threshold) tissue[cy * width + cx]++;
                }
            }
        });
        return tissue.Select((t, c) => all[c] == 0 ? 0 : t / (double)all[c]).ToArray();
    }

    /// <summary>The cells whose share reaches <paramref name="cover"/>: a mask (1 = tissue) to judge others by.</summary>
    public static byte[] Truth(double[] shares, double cover) => shares.Select(s => (byte)(s >= cover ? 1 : 0)).ToArray();

    /// <summary>The share of the reference's tissue cells a mask keeps.</summary>
    public static double Recall(ReadOnlySpan<byte> mask, ReadOnlySpan<byte> truth)
    {
        long kept = 0, total = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (truth[i] == 0) continue;
            total++;
            if (mask[i] != 0) kept++;
        }
        return total == 0 ? 1 : kept / (double)total;
    }

    private static void ForEachStrip(Slide slide, Action<long, RgbImage> visit)
    {
        var level0 = slide.Levels[0];
        var width = checked((int)level0.Width);
        for (long y = 0; y < level0.Height; y += StripRows)
        {
            var rows = (int)Math.Min(StripRows, level0.Height - y);
            visit(y, slide.ReadRegion(0, y, 0, width, rows));
        }
    }
}
