namespace OrleansPathology.Inference;

/// <summary>
/// Covers the tissue cells of a block with rectangles that compute few pixels. A rectangle of w x h cells
/// computes ((w-1)*stride + patch + 2*margin) x ((h-1)*stride + patch + 2*margin) pixels (rounded to output
/// steps), so one rectangle around scattered tissue computes much glass, and many small ones pay the halo
/// many times. Guillotine cuts: a rectangle, shrunk to its tissue, is cut in two where the two halves (each
/// shrunk to its tissue) compute fewer pixels together, and the halves are cut again in turn. Deterministic.
/// </summary>
public static class TissueCover
{
    public static IReadOnlyList<CellRect> Cover(bool[,] isTissue, CellRect block, int stride, int patchSize, int margin)
    {
        var result = new List<CellRect>();
        if (Shrink(isTissue, block) is { } box) Split(isTissue, box, stride, patchSize, margin, result);
        return result;
    }

    /// <summary>Pixels one rectangle computes.</summary>
    public static long Cost(CellRect rect, int stride, int patchSize, int margin)
    {
        var (width, height) = DenseGeometry.RegionPixels(rect, stride, patchSize, margin);
        return (long)width * height;
    }

    private static void Split(bool[,] isTissue, CellRect box, int stride, int patchSize, int margin, List<CellRect> result)
    {
        var best = Cost(box, stride, patchSize, margin);
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
        Split(isTissue, first.Value, stride, patchSize, margin, result);
        Split(isTissue, second.Value, stride, patchSize, margin, result);

        void Consider(CellRect a, CellRect b)
        {
            var sa = Shrink(isTissue, a);
            var sb = Shrink(isTissue, b);
            if (sa is null || sb is null) return; // one side is glass: the box was already shrunk, so this cannot happen
            var cost = Cost(sa.Value, stride, patchSize, margin) + Cost(sb.Value, stride, patchSize, margin);
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
