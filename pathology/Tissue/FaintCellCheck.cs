using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// Faint cells seen closer. At a 64x mask a cell a third covered by dark keratin flakes on glass and a cell of
/// uniformly weak stain have the same pale colour, so the faint pass takes both. Cells that are tissue only by their
/// faint colour are read again at a finer level (at least <see cref="MinimumSide"/> pixels a side) and kept when at
/// least <see cref="MinimumShare"/> of their pixels are tissue-coloured there (stained, or faint by the same
/// thresholds): weak stain is, the glass between flakes is not. Stained cells are not read again.
/// </summary>
public static class FaintCellCheck
{
    /// <summary>Fine pixels per cell side at least: 16 x 16 samples tell glass from stain.</summary>
    public const int MinimumSide = 16;

    /// <summary>A faint cell is tissue when at least half of it is, as a drawn scene's pixel and the level-0 reference count.</summary>
    public const double MinimumShare = 0.5;

    /// <summary>Mask cells read together: a block of 32 x 32 cells is at most 2048 x 2048 fine pixels at 64x over 1x.</summary>
    private const int Block = 32;

    /// <summary>
    /// Fine pixels read at most: a slide without intermediate levels (a single-level 100000x100000 TIFF with a pale
    /// section) would otherwise be read whole at level 0; its faint cells are then kept as the 64x rule says.
    /// </summary>
    public const long MaximumPixels = 64L << 20;

    /// <summary>
    /// Clears the faint-only cells of <paramref name="mask"/> (one byte per pixel of <paramref name="image"/>) that are
    /// not tissue at the finer level, and returns how many. None when the slide has no level fine enough.
    /// </summary>
    public static int Apply(Slide slide, MaskResolution resolution, RgbImage image, byte[] mask, ArtefactAwareThresholds t)
    {
        var fine = FineLevel(slide, resolution);
        if (fine is null) return 0;
        int width = image.Width, height = image.Height;
        var pixels = image.Pixels;
        var perCell = Math.Pow(resolution.Downsample / fine.Downsample, 2);
        long candidates = 0;
        for (var p = 0; p < width * height; p++) if (IsFaintOnly(mask, pixels, p, t)) candidates++;
        if (candidates == 0 || candidates * perCell > MaximumPixels) return 0;
        var dropped = 0;
        for (var by = 0; by < height; by += Block)
        for (var bx = 0; bx < width; bx += Block)
        {
            // The block's faint-only cells and their bounds: only those are read.
            int x0 = int.MaxValue, y0 = int.MaxValue, x1 = -1, y1 = -1;
            for (var y = by; y < Math.Min(by + Block, height); y++)
            for (var x = bx; x < Math.Min(bx + Block, width); x++)
            {
                if (!IsFaintOnly(mask, pixels, y * width + x, t)) continue;
                (x0, y0, x1, y1) = (Math.Min(x0, x), Math.Min(y0, y), Math.Max(x1, x), Math.Max(y1, y));
            }
            if (x1 < 0) continue;
            dropped += CheckCells(slide, resolution, fine, image, mask, t, x0, y0, x1, y1);
        }
        return dropped;
    }

    private static bool IsFaintOnly(byte[] mask, byte[] pixels, int p, ArtefactAwareThresholds t)
    {
        if (mask[p] == 0) return false;
        byte r = pixels[p * 3], g = pixels[p * 3 + 1], b = pixels[p * 3 + 2];
        return !ArtefactAwareRule.IsStained(r, g, b, t) && ArtefactAwareRule.IsFaint(r, g, b, t);
    }

    private static int CheckCells(Slide slide, MaskResolution resolution, SlideLevel fine, RgbImage image, byte[] mask,
        ArtefactAwareThresholds t, int x0, int y0, int x1, int y1)
    {
        // Level-0 bounds of the cells, clipped to the slide, then the fine level's pixels over them.
        var scale = resolution.Downsample / fine.Downsample;
        var level0 = slide.Levels[0];
        long left = (long)(x0 * resolution.Downsample), top = (long)(y0 * resolution.Downsample);
        var right = Math.Min(level0.Width, (long)Math.Ceiling((x1 + 1) * resolution.Downsample));
        var bottom = Math.Min(level0.Height, (long)Math.Ceiling((y1 + 1) * resolution.Downsample));
        var fineWidth = (int)Math.Max(1, Math.Ceiling((right - left) / fine.Downsample));
        var fineHeight = (int)Math.Max(1, Math.Ceiling((bottom - top) / fine.Downsample));
        var region = slide.ReadRegion(left, top, fine.Index, fineWidth, fineHeight);
        var (fx0, fy0) = (x0 * scale, y0 * scale);

        var dropped = 0;
        for (var y = y0; y <= y1; y++)
        for (var x = x0; x <= x1; x++)
        {
            var p = y * image.Width + x;
            if (!IsFaintOnly(mask, image.Pixels, p, t)) continue;
            int cx0 = (int)(x * scale - fx0), cy0 = (int)(y * scale - fy0);
            int cx1 = Math.Min(fineWidth, (int)((x + 1) * scale - fx0)), cy1 = Math.Min(fineHeight, (int)((y + 1) * scale - fy0));
            if (cx1 <= cx0 || cy1 <= cy0) continue;
            if (TissueShare(region, cx0, cy0, cx1, cy1, t) >= MinimumShare) continue;
            mask[p] = 0;
            dropped++;
        }
        return dropped;
    }

    private static double TissueShare(RgbImage region, int x0, int y0, int x1, int y1, ArtefactAwareThresholds t)
    {
        var pixels = region.Pixels;
        long tissue = 0;
        for (var y = y0; y < y1; y++)
        for (var x = x0; x < x1; x++)
        {
            var i = (y * region.Width + x) * 3;
            byte r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
            if (ArtefactAwareRule.IsStained(r, g, b, t) || ArtefactAwareRule.IsFaint(r, g, b, t)) tissue++;
        }
        return tissue / (double)((x1 - x0) * (y1 - y0));
    }

    /// <summary>The coarsest level with at least <see cref="MinimumSide"/> pixels a side per mask cell, or null.</summary>
    private static SlideLevel? FineLevel(Slide slide, MaskResolution resolution) =>
        slide.Levels.Where(l => resolution.Downsample / l.Downsample >= MinimumSide).MaxBy(l => l.Downsample);
}
