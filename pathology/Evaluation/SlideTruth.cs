using OrleansPathology.Imaging;

namespace OrleansPathology.Evaluation;

/// <summary>
/// One slide's ground truth: where it comes from, the slide's level-0 resolution, and a way to get its level-5 tumour mask
/// (loaded or rasterised only when the slide is scored, so a whole test set never sits in memory at once).
/// </summary>
/// <param name="SlideId">The slide's id: the file stem its predictions CSV is named after.</param>
/// <param name="Source">The truth file (mask, annotation or cohort entry), for messages and the report.</param>
/// <param name="MicronsPerPixel">Level-0 micrometres per pixel the protocol's constants are converted with.</param>
/// <param name="LoadMask">Returns the ground-truth mask (non-zero = tumour).</param>
public sealed record SlideTruth(string SlideId, string Source, double MicronsPerPixel, Func<SlideMask> LoadMask)
{
    /// <summary>A truth held in memory (e.g. by <c>opath demo</c>, which has just rasterised it).</summary>
    public static SlideTruth FromMask(string slideId, SlideMask mask, double micronsPerPixel = CamelyonProtocol.ReferenceMicronsPerPixel, string? source = null) =>
        new(slideId, source ?? $"{slideId} (in memory)", micronsPerPixel, () => mask);
}
