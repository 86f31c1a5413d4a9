namespace OrleansPathology.Evaluation;

/// <summary>The outcome of a CAMELYON16-style evaluation: lesion-level FROC and slide-level AUC, with every slide's detail.</summary>
/// <param name="Score">The FROC score (mean sensitivity at 1/4, 1/2, 1, 2, 4 and 8 false positives per slide); null when no region counts.</param>
/// <param name="OperatingPoints">Sensitivity at each of the six rates.</param>
/// <param name="Curve">The whole FROC curve.</param>
/// <param name="SlideAuc">Slide-level ROC AUC (slide score = its highest detection probability); null unless both tumour and normal slides were evaluated.</param>
/// <param name="Slides">Each evaluated slide, in the order given.</param>
/// <param name="TruthWithoutPredictions">Slides of the truth with no predictions: not evaluated (as the script evaluates only the CSVs it is given).</param>
/// <param name="TruthSource">Where the truth came from.</param>
public sealed record FrocResult(
    double? Score,
    IReadOnlyList<FrocOperatingPoint> OperatingPoints,
    FrocCurve Curve,
    double? SlideAuc,
    IReadOnlyList<SlideOutcome> Slides,
    IReadOnlyList<string> TruthWithoutPredictions,
    string TruthSource)
{
    /// <summary>How the protocol's micrometres were converted: the official 0.243 um/px, or each slide's own (<see cref="TruthSet.ResolutionRule"/>).</summary>
    public string ResolutionRule { get; init; } = "each truth's own resolution";

    public int TumourSlides => Slides.Count(s => s.HasTumour);
    public int NormalSlides => Slides.Count - TumourSlides;

    /// <summary>Slides scored as normal because the truth has no entry for them.</summary>
    public int SlidesWithoutTruth => Slides.Count(s => s.TruthSource is null);

    public int CountedRegions => Slides.Sum(s => s.CountedRegions);
    public int IsolatedTumourCellRegions => Slides.Sum(s => s.Regions.Count(r => r.IsolatedTumourCells));
    public int HitRegions => Slides.Sum(s => s.HitRegions);
    public int Detections => Slides.Sum(s => s.Detections.Count);
    public int FalsePositives => Slides.Sum(s => s.FalsePositives);
}
