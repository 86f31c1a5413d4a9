namespace OrleansPathology.Synthesis;

/// <summary>cohort.json: the slides of a synthetic cohort and where their truth lies, paths relative to the cohort folder.</summary>
public sealed record CohortManifest(string Id, ulong Seed, IReadOnlyList<CohortSlide> Slides)
{
    public const string FileName = "cohort.json";
}

/// <summary>
/// One slide of cohort.json. <see cref="Split"/> is "train" or "test"; <see cref="Annotation"/> is null on a slide
/// without tumour (as CAMELYON16 ships XML for tumour slides only), while <see cref="TruthMask"/> is written for every
/// slide (all zero without tumour) so evaluation needs no special case.
/// </summary>
public sealed record CohortSlide(
    string Id,
    string Path,
    string Split,
    bool HasTumour,
    string? Annotation,
    string TruthMask,
    string TissueMask,
    string Thumbnail,
    long Width,
    long Height,
    double MppX,
    double MppY,
    int TumourRegions);

/// <summary>Split names in cohort.json.</summary>
public static class CohortSplits
{
    public const string Train = "train";
    public const string Test = "test";
}
