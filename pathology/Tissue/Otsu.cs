namespace OrleansPathology.Tissue;

/// <summary>
/// Otsu's threshold over 8-bit values, with scikit-image's <c>threshold_otsu</c> semantics for an integer
/// image, so that masks made here match the NCRF and MONAI Python pipelines pixel for pixel:
/// the histogram spans only the occupied range [min, max] (skimage's <c>histogram(source_range='image')</c>),
/// the threshold is the bin value t maximising the between-class variance of {v &lt;= t} and {v &gt; t},
/// the lowest t wins a tie (numpy's argmax), foreground is <c>value &gt; t</c>, and an image of one value
/// returns that value (so nothing is foreground).
/// </summary>
public static class Otsu
{
    public const int Bins = 256;

    /// <summary>The threshold of a 256-bin histogram (bin i counts the pixels of value i).</summary>
    public static byte Threshold(ReadOnlySpan<long> histogram)
    {
        if (histogram.Length != Bins)
            throw new ArgumentException($"an 8-bit histogram has {Bins} bins, not {histogram.Length}", nameof(histogram));

        var lo = 0;
        while (lo < Bins && histogram[lo] == 0) lo++;
        if (lo == Bins) throw new ArgumentException("the histogram is empty: Otsu's threshold needs at least one pixel", nameof(histogram));
        var hi = Bins - 1;
        while (histogram[hi] == 0) hi--;
        if (lo == hi) return (byte)lo;

        // Class 2 (above t) totals are the grand totals less class 1's, so one forward pass suffices.
        double total = 0, totalSum = 0;
        for (var v = lo; v <= hi; v++)
        {
            total += histogram[v];
            totalSum += (double)histogram[v] * v;
        }

        double weight1 = 0, sum1 = 0, best = double.NegativeInfinity;
        var threshold = lo;
        for (var t = lo; t < hi; t++)
        {
            weight1 += histogram[t];
            sum1 += (double)histogram[t] * t;
            var weight2 = total - weight1;
            var difference = sum1 / weight1 - (totalSum - sum1) / weight2;
            var variance = weight1 * weight2 * difference * difference;
            if (variance > best)
            {
                best = variance;
                threshold = t;
            }
        }
        return (byte)threshold;
    }

    /// <summary>The threshold of a set of 8-bit values.</summary>
    public static byte Threshold(ReadOnlySpan<byte> values)
    {
        Span<long> histogram = stackalloc long[Bins];
        foreach (var v in values) histogram[v]++;
        return Threshold(histogram);
    }
}
