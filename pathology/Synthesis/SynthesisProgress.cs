namespace OrleansPathology.Synthesis;

/// <summary>Where a synthesis run stands: reported when a slide starts, as its tile rows complete, and when it is done.</summary>
public sealed record SynthesisProgress(int SlideIndex, int SlideCount, string SlideId, bool HasTumour, double SlideFraction, bool SlideDone);
