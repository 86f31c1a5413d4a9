namespace OrleansPathology.Evaluation;

/// <summary>What a detection turned out to be.</summary>
public enum DetectionKind
{
    /// <summary>The highest-probability detection in a counted tumour region: the region's hit.</summary>
    TruePositive,

    /// <summary>Another detection in a region already hit at an equal or higher probability: neither hit nor false positive.</summary>
    RepeatHit,

    /// <summary>In a region of isolated tumour cells: neither hit nor false positive.</summary>
    IsolatedTumourCells,

    /// <summary>On background, or anywhere on a slide without tumour.</summary>
    FalsePositive,

    /// <summary>Off the slide's evaluation mask (negative or beyond its edge): counted as a false positive.</summary>
    OffSlide,
}

/// <summary>One detection and its verdict.</summary>
/// <param name="Label">The region hit (0 for background, -1 off the slide or on a slide without truth).</param>
public sealed record DetectionOutcome(float Probability, double X, double Y, DetectionKind Kind, int Label)
{
    /// <summary>Counts against the score as a false positive.</summary>
    public bool IsFalsePositive => Kind is DetectionKind.FalsePositive or DetectionKind.OffSlide;
}

/// <summary>One tumour region of a slide and the detection that hit it, if any.</summary>
/// <param name="Label">The region's label in the evaluation mask.</param>
/// <param name="AreaPixels">Evaluation-mask pixels (grown and filled).</param>
/// <param name="MajorAxisMicrons">Its major axis in micrometres.</param>
/// <param name="IsolatedTumourCells">Neither counted as a target nor as a false positive when detected.</param>
/// <param name="CentreX">Level-0 centroid.</param>
/// <param name="CentreY">Level-0 centroid.</param>
/// <param name="Hit">The kept hit (highest probability, first in file order on ties); null when missed (always null for ITC).</param>
public sealed record RegionOutcome(int Label, long AreaPixels, double MajorAxisMicrons, bool IsolatedTumourCells, double CentreX, double CentreY, DetectionOutcome? Hit);

/// <summary>One slide's part in the evaluation: its regions, and every detection with its verdict.</summary>
/// <param name="SlideId">The slide id.</param>
/// <param name="TruthSource">The truth file; null for a slide without truth (a normal slide).</param>
/// <param name="MicronsPerPixel">The resolution the protocol's micrometres were converted with (null without truth).</param>
/// <param name="Regions">Every region of the evaluation mask, ITC included, in label order.</param>
/// <param name="Detections">Every detection in file order.</param>
public sealed record SlideOutcome(string SlideId, string? TruthSource, double? MicronsPerPixel, IReadOnlyList<RegionOutcome> Regions, IReadOnlyList<DetectionOutcome> Detections)
{
    /// <summary>Whether the truth has any tumour (ITC included): the slide-level label for the AUC.</summary>
    public bool HasTumour => Regions.Count > 0;

    /// <summary>Regions that count as targets (not ITC).</summary>
    public int CountedRegions => Regions.Count(r => !r.IsolatedTumourCells);

    public int HitRegions => Regions.Count(r => r.Hit is not null);

    public int FalsePositives => Detections.Count(d => d.IsFalsePositive);

    /// <summary>The slide's score for the slide-level AUC: its highest detection probability, 0 without detections.</summary>
    public float MaxProbability => Detections.Count == 0 ? 0f : Math.Max(0f, Detections.Max(d => d.Probability));

    /// <summary>
    /// The script's <c>TP_probs</c>: one entry per region label, the kept hit's probability, 0 for a missed region and for
    /// every ITC region (the zeros matter: <see cref="FrocCurve"/> drops the lowest distinct probability as the script does).
    /// </summary>
    public IEnumerable<float> TruePositiveProbabilities => Regions.Select(r => r.Hit?.Probability ?? 0f);

    /// <summary>The script's <c>FP_probs</c>.</summary>
    public IEnumerable<float> FalsePositiveProbabilities => Detections.Where(d => d.IsFalsePositive).Select(d => d.Probability);
}
