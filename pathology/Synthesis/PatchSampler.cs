using OrleansPathology.Annotations;
using OrleansPathology.Imaging;

namespace OrleansPathology.Synthesis;

/// <summary>A drawn patch centre, level-0 pixels, with its label (1 tumour, 0 normal).</summary>
internal readonly record struct PatchCentre(long X, long Y, int Label);

/// <summary>
/// Draws patch centres for dataset.json from the level-5 masks, confirmed at level 0 by the same rasteriser:
/// a tumour centre lies in a truth-mask tumour pixel and is itself a tumour pixel at level 0; a normal centre lies
/// in tissue, and its whole 224x224 patch holds no tumour pixel at level 0. Each centre keeps its patch inside the
/// slide and falls in the mask pixel it was drawn from, so the truth mask at (x / 32, y / 32) gives its label.
/// </summary>
internal static class PatchSampler
{
    private const int Half = PatchDataset.PatchSize / 2;

    // One patch-sized scratch window per thread for the "no tumour anywhere in the patch" check.
    private static readonly ThreadLocal<byte[]> Window = new(() => new byte[PatchDataset.PatchSize * PatchDataset.PatchSize]);

    public static List<PatchCentre> Tumour(SlideMask truth, AnnotationRaster? tumourAtLevel0, long width, long height, int count, ref SplitMix64 rng)
    {
        if (tumourAtLevel0 is null || count == 0) return [];
        var candidates = Foreground(truth, (x, y) => true);
        return Draw(candidates, truth, width, height, count, ref rng, 1,
            (cx, cy) => Label(tumourAtLevel0, cx, cy, 1, 1) == 1);
    }

    public static List<PatchCentre> Normal(SlideMask tissue, SlideMask truth, AnnotationRaster tissueAtLevel0, AnnotationRaster? tumourAtLevel0,
        long width, long height, int count, ref SplitMix64 rng)
    {
        if (count == 0) return [];
        // Far enough from tumour at level 5 that the patch (7 mask pixels across) cannot reach a tumour pixel.
        var reach = (int)Math.Ceiling(Half / truth.Downsample) + 1;
        var candidates = Foreground(tissue, (x, y) => !AnyNear(truth, x, y, reach));
        return Draw(candidates, truth, width, height, count, ref rng, 0, (cx, cy) =>
            Label(tissueAtLevel0, cx, cy, 1, 1) == 1
            && (tumourAtLevel0 is null || !tumourAtLevel0.MayContainTumour(cx - Half, cy - Half, PatchDataset.PatchSize, PatchDataset.PatchSize)
                || !AnyLabel(tumourAtLevel0, cx - Half, cy - Half, PatchDataset.PatchSize)));
    }

    private static List<PatchCentre> Draw(List<int> candidates, SlideMask mask, long width, long height, int count, ref SplitMix64 rng, int label,
        Func<long, long, bool> accept)
    {
        var result = new List<PatchCentre>();
        var taken = new HashSet<(long, long)>();
        var step = (int)mask.Downsample;
        for (var attempt = 0; result.Count < count && candidates.Count > 0 && attempt < count * 20; attempt++)
        {
            var pixel = candidates[rng.NextInt(0, candidates.Count)];
            var (mx, my) = (pixel % mask.Width, pixel / mask.Width);
            // Anywhere inside the drawn mask pixel, never beyond it.
            var cx = (long)mx * step + rng.NextInt(0, step);
            var cy = (long)my * step + rng.NextInt(0, step);
            if (cx < Half || cy < Half || cx + Half > width || cy + Half > height) continue;
            if (!taken.Add((cx, cy)) || !accept(cx, cy)) continue;
            result.Add(new PatchCentre(cx, cy, label));
        }
        return result;
    }

    private static List<int> Foreground(SlideMask mask, Func<int, int, bool> also)
    {
        var list = new List<int>();
        for (var y = 0; y < mask.Height; y++)
        for (var x = 0; x < mask.Width; x++)
        {
            if (mask[x, y] != 0 && also(x, y)) list.Add(y * mask.Width + x);
        }
        return list;
    }

    private static bool AnyNear(SlideMask mask, int x, int y, int reach)
    {
        for (var dy = -reach; dy <= reach; dy++)
        for (var dx = -reach; dx <= reach; dx++)
        {
            var (nx, ny) = (x + dx, y + dy);
            if (nx >= 0 && ny >= 0 && nx < mask.Width && ny < mask.Height && mask[nx, ny] != 0) return true;
        }
        return false;
    }

    private static byte Label(AnnotationRaster raster, long x, long y, int width, int height)
    {
        Span<byte> label = stackalloc byte[1];
        raster.FillWindow(x, y, width, height, label);
        return label[0];
    }

    private static bool AnyLabel(AnnotationRaster raster, long x, long y, int size)
    {
        var window = Window.Value!;
        raster.FillWindow(x, y, size, size, window);
        return window.AsSpan(0, size * size).ContainsAnyExcept((byte)0);
    }
}
