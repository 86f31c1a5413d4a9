namespace OrleansPathology.Evaluation;

/// <summary>One operating point of the FROC curve.</summary>
/// <param name="Threshold">Detections with probability at or above this count; null for the closing point where none do.</param>
/// <param name="TruePositives">Regions hit at or above the threshold.</param>
/// <param name="FalsePositives">False positives at or above the threshold, over all slides.</param>
/// <param name="FalsePositivesPerSlide">FalsePositives divided by the number of slides evaluated.</param>
/// <param name="Sensitivity">TruePositives divided by the number of counted (non-ITC) regions; 0 when there are none.</param>
public sealed record FrocPoint(double? Threshold, int TruePositives, int FalsePositives, double FalsePositivesPerSlide, double Sensitivity);

/// <summary>Sensitivity read off the curve at one average number of false positives per slide.</summary>
public sealed record FrocOperatingPoint(double FalsePositivesPerSlide, double Sensitivity);

/// <summary>
/// The FROC curve pooled over all slides, as the CAMELYON16 script's <c>computeFROC</c> (and MONAI's
/// <c>compute_froc_curve_data</c>) compute it, and its reading at given false-positive rates as the script's
/// <c>np.interp</c> does.
/// </summary>
/// <remarks>
/// Semantics kept from the script, knowingly:
/// <list type="bullet">
/// <item>Thresholds are the distinct probabilities of all false positives and all regions' kept-hit probabilities (0 for
/// missed and ITC regions), ascending, <b>without the lowest</b> (<c>all_probs[1:]</c>): that drops the 0 of missed
/// regions, but when no region is missed and none is ITC it drops the lowest real probability instead.</item>
/// <item>At each threshold t, detections with probability ≥ t count, so detections tied on t count together.</item>
/// <item>A closing point (0 false positives, sensitivity 0) is appended.</item>
/// <item>Sensitivity at a rate r is <c>np.interp(r, fps[::-1], sens[::-1])</c>: where several points share the rate r the
/// last of them in that reversed order (the lowest threshold, so the highest sensitivity) is taken; between rates the
/// value is linear; beyond the largest rate it is the last (highest) sensitivity.</item>
/// </list>
/// One difference: probabilities are compared as the float32 values read from the CSV. The script holds hit
/// probabilities as float32 and false-positive ones as float64, which can split a written tie by about 1e-8.
/// </remarks>
public sealed class FrocCurve
{
    private FrocCurve(IReadOnlyList<FrocPoint> points, int slides, int regions)
    {
        Points = points;
        Slides = slides;
        CountedRegions = regions;
    }

    /// <summary>The points in the script's order: thresholds ascending (false positives falling), then the closing point.</summary>
    public IReadOnlyList<FrocPoint> Points { get; }

    /// <summary>Slides evaluated: the divisor of the false-positive rate.</summary>
    public int Slides { get; }

    /// <summary>Counted (non-ITC) tumour regions: the divisor of sensitivity.</summary>
    public int CountedRegions { get; }

    /// <summary>Sensitivity is defined: at least one counted region.</summary>
    public bool IsDefined => CountedRegions > 0;

    public static FrocCurve Compute(IReadOnlyList<SlideOutcome> slides) =>
        Compute(slides.SelectMany(s => s.FalsePositiveProbabilities), slides.SelectMany(s => s.TruePositiveProbabilities),
            slides.Sum(s => s.CountedRegions), slides.Count);

    /// <param name="falsePositiveProbabilities">All slides' false-positive probabilities.</param>
    /// <param name="truePositiveProbabilities">All slides' per-region kept-hit probabilities, 0 for missed and ITC regions.</param>
    /// <param name="countedRegions">Non-ITC regions over all slides.</param>
    /// <param name="slides">Slides evaluated.</param>
    public static FrocCurve Compute(IEnumerable<float> falsePositiveProbabilities, IEnumerable<float> truePositiveProbabilities, int countedRegions, int slides)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countedRegions);
        ArgumentOutOfRangeException.ThrowIfLessThan(slides, 1);
        var fps = falsePositiveProbabilities.Order().ToArray();
        var tps = truePositiveProbabilities.Order().ToArray();
        var thresholds = fps.Concat(tps).Distinct().Order().Skip(1);
        var points = new List<FrocPoint>();
        foreach (var t in thresholds) points.Add(Point(t, AtOrAbove(tps, t), AtOrAbove(fps, t), countedRegions, slides));
        points.Add(Point(null, 0, 0, countedRegions, slides));
        return new FrocCurve(points, slides, countedRegions);
    }

    /// <summary>Sensitivity at <paramref name="falsePositivesPerSlide"/>, read as the script reads it (see remarks).</summary>
    public double SensitivityAt(double falsePositivesPerSlide)
    {
        // The script reverses the arrays so that the rates rise: the closing point (0, 0) first.
        var xp = Points.Reverse().Select(p => p.FalsePositivesPerSlide).ToArray();
        var fp = Points.Reverse().Select(p => p.Sensitivity).ToArray();
        return NumpyInterp(falsePositivesPerSlide, xp, fp);
    }

    /// <summary>Sensitivities at the protocol's six rates (or <paramref name="rates"/>).</summary>
    public IReadOnlyList<FrocOperatingPoint> OperatingPoints(IReadOnlyList<double>? rates = null) =>
        (rates ?? CamelyonProtocol.FalsePositiveRates).Select(r => new FrocOperatingPoint(r, SensitivityAt(r))).ToList();

    /// <summary>The FROC score: the mean sensitivity at the protocol's six rates; null when no region counts.</summary>
    public double? Score => IsDefined ? OperatingPoints().Average(p => p.Sensitivity) : null;

    /// <summary>
    /// numpy's <c>interp</c> for one x over non-decreasing <paramref name="xp"/> (duplicates allowed): left of xp[0] gives
    /// fp[0], right of the last gives the last fp; otherwise j is the last index with xp[j] ≤ x (numpy's
    /// <c>binary_search_with_guess</c>), and the value is fp[j] when xp[j] = x or j is last, else linear to j + 1.
    /// </summary>
    internal static double NumpyInterp(double x, IReadOnlyList<double> xp, IReadOnlyList<double> fp)
    {
        if (xp.Count == 0 || xp.Count != fp.Count) throw new ArgumentException("interp needs equally long, non-empty xp and fp");
        var n = xp.Count;
        if (x < xp[0]) return fp[0];
        if (x > xp[n - 1]) return fp[n - 1];
        var j = 0;
        while (j + 1 < n && xp[j + 1] <= x) j++;
        if (j == n - 1 || xp[j] == x) return fp[j];
        var slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        return slope * (x - xp[j]) + fp[j];
    }

    private static FrocPoint Point(double? threshold, int tp, int fp, int regions, int slides) =>
        new(threshold, tp, fp, (double)fp / slides, regions == 0 ? 0 : (double)tp / regions);

    private static int AtOrAbove(float[] sorted, float threshold)
    {
        // First index at or above the threshold in an ascending array.
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < threshold) lo = mid + 1;
            else hi = mid;
        }
        return sorted.Length - lo;
    }
}
