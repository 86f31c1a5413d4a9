namespace OrleansPathology.Tissue;

/// <summary>
/// The numbers the NCRF/MONAI tissue rule compares against: Otsu thresholds of red, green, blue and
/// byte saturation (see <see cref="HsvSaturation"/>), and the darkness floor every channel must exceed.
/// Kept apart from the image they came from so a slide's thresholds can be applied to one tile of it.
/// </summary>
public sealed record TissueThresholds(byte Red, byte Green, byte Blue, byte Saturation, byte RgbMinimum = TissueThresholds.NcrfRgbMinimum)
{
    /// <summary>
    /// NCRF <c>wsi/bin/tissue_mask.py</c> <c>--RGB_min</c> default: channels at or below 50 are taken for
    /// black (pen, folds, scanner border), not tissue.
    /// </summary>
    public const byte NcrfRgbMinimum = 50;
}
