namespace OrleansPathology.Evaluation;

/// <summary>
/// Area under the ROC curve of a slide-level classifier (CAMELYON16's first task): each slide's score against whether it
/// has tumour. Computed as the Mann-Whitney statistic, the share of (tumour, normal) pairs that the scores order
/// correctly, ties counting one half; the same number as scikit-learn's <c>roc_auc_score</c>.
/// </summary>
public static class SlideAuc
{
    /// <summary>The AUC, or null when either class is empty.</summary>
    public static double? Compute(IReadOnlyList<(double Score, bool Tumour)> slides)
    {
        var positives = slides.Where(s => s.Tumour).Select(s => s.Score).ToArray();
        var negatives = slides.Where(s => !s.Tumour).Select(s => s.Score).Order().ToArray();
        if (positives.Length == 0 || negatives.Length == 0) return null;
        double pairs = 0;
        foreach (var p in positives)
        {
            var below = LowerBound(negatives, p);
            var upTo = UpperBound(negatives, p);
            pairs += below + 0.5 * (upTo - below);
        }
        return pairs / ((double)positives.Length * negatives.Length);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
