using OrleansPathology.Imaging;

namespace OrleansPathology.Tissue;

/// <summary>
/// NCRF's <c>tissue_mask.py</c> rule, which MONAI's pathology preparation repeats: a pixel is tissue when
/// it is more saturated than the Otsu threshold of saturation, is not brighter than the Otsu threshold in
/// all of R, G and B at once (that is glass), and no channel is at or below the darkness floor.
/// </summary>
public static class TissueRule
{
    /// <summary>The value tissue pixels get in a mask; background is 0.</summary>
    public const byte Tissue = 1;

    public static bool IsTissue(byte r, byte g, byte b, TissueThresholds t) =>
        HsvSaturation.Of(r, g, b) > t.Saturation
        && !(r > t.Red && g > t.Green && b > t.Blue)
        && r > t.RgbMinimum && g > t.RgbMinimum && b > t.RgbMinimum;

    /// <summary>Otsu thresholds of one image's R, G, B and saturation, computed over every pixel as NCRF does.</summary>
    public static TissueThresholds OtsuThresholds(RgbImage image, byte rgbMinimum = TissueThresholds.NcrfRgbMinimum)
    {
        if (image.Width == 0 || image.Height == 0)
            throw new ArgumentException($"a {image.Width}x{image.Height} image has no pixels to threshold", nameof(image));
        var red = new long[Otsu.Bins];
        var green = new long[Otsu.Bins];
        var blue = new long[Otsu.Bins];
        var saturation = new long[Otsu.Bins];
        var pixels = image.Pixels;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            red[pixels[i]]++;
            green[pixels[i + 1]]++;
            blue[pixels[i + 2]]++;
            saturation[HsvSaturation.Of(pixels[i], pixels[i + 1], pixels[i + 2])]++;
        }
        return new TissueThresholds(Otsu.Threshold(red), Otsu.Threshold(green), Otsu.Threshold(blue), Otsu.Threshold(saturation), rgbMinimum);
    }

    /// <summary>The rule applied to every pixel: one mask byte per pixel, <see cref="Tissue"/> or 0.</summary>
    public static byte[] Apply(RgbImage image, TissueThresholds thresholds)
    {
        var mask = new byte[image.Width * image.Height];
        var pixels = image.Pixels;
        for (var p = 0; p < mask.Length; p++)
        {
            var i = p * 3;
            if (IsTissue(pixels[i], pixels[i + 1], pixels[i + 2], thresholds)) mask[p] = Tissue;
        }
        return mask;
    }

    /// <summary>The share of an image's pixels the rule calls tissue: how a tile is judged with a slide's thresholds.</summary>
    public static double TissueFraction(RgbImage image, TissueThresholds thresholds) =>
        image.ShareOf((r, g, b) => IsTissue(r, g, b, thresholds));
}
