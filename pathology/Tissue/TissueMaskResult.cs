using OrleansPathology.Imaging;

namespace OrleansPathology.Tissue;

/// <summary>
/// A tissue mask with what made it: the slide image at the mask's resolution (for the outline thumbnail),
/// the thresholds the rule used (to apply the same rule to a tile of this slide), and where the pixels
/// came from. For the robust method <see cref="Thresholds"/> are its stained-tissue thresholds and
/// <see cref="ArtefactAware"/> has all of them.
/// </summary>
public sealed record TissueMaskResult(
    SlideMask Mask,
    RgbImage Image,
    TissueThresholds Thresholds,
    MaskResolution Resolution,
    long RemovedPixels,
    TissueMethod Method = TissueMethod.Otsu,
    ArtefactAwareThresholds? ArtefactAware = null)
{
    /// <summary>The share of mask pixels that are tissue.</summary>
    public double TissueFraction => Mask.ForegroundFraction;

    /// <summary>The slide at the mask's resolution with the mask's boundary drawn in green.</summary>
    public RgbImage Outline() => MaskOutline.Draw(Image, Mask);
}
