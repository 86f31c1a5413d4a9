namespace OrleansPathology.Inference;

/// <summary>
/// Covers the tissue cells of a block with rectangles that compute few pixels. A rectangle of w x h cells
/// computes ((w-1)*stride + patch + 2*margin) x ((h-1)*stride + patch + 2*margin) pixels (rounded to output
/// steps), so one rectangle around scattered tissue computes much glass, and many small ones pay the halo
/// many times. Guillotine cuts: a rectangle, shrunk to its tissue, is cut in two where the two halves (each
/// shrunk to its tissue) compute fewer pixels together, and the halves are cut again in turn. Deterministic.
/// With <c>canonicalLimit</c> above 0 each rectangle is costed as <see cref="Canonical"/> computes it (its sides
/// rounded up to a few sizes), so the cuts favour rectangles that fit those sizes; the rectangles returned are the
/// tissue's own (callers take their cells from them, then widen the region with <see cref="Canonical"/>).
/// </summary>
public static class TissueCover
{
    public static IReadOnlyList<CellRect> Cover(bool[,] isTissue, CellRect block, int stride, int patchSize, int margin, int canonicalLimit = 0)
    {
        var result = new List<CellRect>();
        if (Shrink(isTissue, block) is { } box) Split(isTissue, box, new Costing(stride, patchSize, margin, canonicalLimit), result);
        return result;
    }

    /// <summary>
    /// The rectangle widened right and down to a canonical size: each side in cells rounded up to the next of
    /// 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ... (powers of two and three times them), at most <paramref name="limit"/>
    /// (the block side, itself a canonical size). libtorch sets up each input shape once (oneDNN primitives for 20
    /// convolutions, kept in a cache of 1024) and glibc keeps heap per shape: a 24-cell block gives at most 9 x 9
    /// shapes instead of 24 x 24. The extra pixels are real slide around the region, read as context.
    /// 0 leaves the rectangle as it is.
    /// </summary>
    public static CellRect Canonical(CellRect rect, int limit) =>
        limit <= 0 ? rect : rect with { Width = CanonicalCells(rect.Width, limit), Height = CanonicalCells(rect.Height, limit) };

    /// <summary>The smallest canonical cell count at least <paramref name="cells"/> (see <see cref="Canonical"/>), capped at <paramref name="limit"/>.</summary>
    public static int CanonicalCells(int cells, int limit)
    {
        if (cells >= limit) return cells;
        var power = 1;
        while (power < cells) power *= 2;
        // Between power/2 and power lies 3/4 * power (3 times a power of two) whenever power >= 4.
        var candidate = power >= 4 && power / 4 * 3 >= cells ? power / 4 * 3 : power;
        return Math.Min(candidate, limit);
    }

    /// <summary>Pixels one rectangle computes.</summary>
    public static long Cost(CellRect rect, int stride, int patchSize, int margin)
    {
        var (width, height) = DenseGeometry.RegionPixels(rect, stride, patchSize, margin);
        return (long)width * height;
    }

    private readonly record struct Costing(int Stride, int PatchSize, int Margin, int CanonicalLimit)
    {
        public long Of(CellRect rect) => Cost(Canonical(rect, CanonicalLimit), Stride, PatchSize, Margin);
    }

    private static void Split(bool[,] isTissue, CellRect box, Costing costing, List<CellRect> result)
    {
        var best = costing.Of(box);
        CellRect? first = null, second = null;
        for (var cut = 1; cut < box.Width; cut++)
        {
            Consider(new CellRect(box.X, box.Y, cut, box.Height), new CellRect(box.X + cut, box.Y, box.Width - cut, box.Height));
        }
        for (var cut = 1; cut < box.Height; cut++)
        {
            Consider(new CellRect(box.X, box.Y, box.Width, cut), new CellRect(box.X, box.Y + cut, box.Width, box.Height - cut));
        }
        if (first is null || second is null)
        {
            result.Add(box);
            return;
        }
        Split(isTissue, first.Value, costing, result);
        Split(isTissue, second.Value, costing, result);

        void Consider(CellRect a, CellRect b)
        {
            var sa = Shrink(isTissue, a);
            var sb = Shrink(isTissue, b);
            if (sa is null || sb is null) return; // one side is glass: the box was already shrunk, so this cannot happen
            var cost = costing.Of(sa.Value) + costing.Of(sb.Value);
            if (cost < best)
            {
                best = cost;
                first = sa;
                second = sb;
            }
        }
    }

    /// <summary>The bounding box of the tissue cells inside <paramref name="rect"/>, or null when it has none.</summary>
    private static CellRect? Shrink(bool[,] isTissue, CellRect rect)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (var y = rect.Y; y < rect.Y + rect.Height; y++)
        {
            for (var x = rect.X; x < rect.X + rect.Width; x++)
            {
                if (!isTissue[x, y]) continue;
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
            }
        }
        return maxX < 0 ? null : new CellRect(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }
}
