using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// Foreground (tissue) masks of whole slides: read the slide at a coarse resolution, then apply
/// <see cref="ArtefactAwareRule"/> (the default) or, for parity with NCRF and MONAI, <see cref="TissueRule"/>
/// with that image's own Otsu thresholds (the robust rule's faint cells then seen closer, <see cref="FaintCellCheck"/>);
/// optionally drop small specks.
/// </summary>
public static class TissueDetector
{
    /// <summary>Makes a slide's tissue mask. Read failures and unusable levels are <see cref="SlideException"/>s naming the slide.</summary>
    public static TissueMaskResult Detect(Slide slide, TissueMaskOptions? options = null)
    {
        options ??= new TissueMaskOptions();
        var resolution = ResolutionFor(slide, options);
        var image = MaskImageReader.Read(slide, resolution);
        if (image.Width == 0 || image.Height == 0)
            throw new SlideException(slide.Path, $"level {resolution.Level} is {image.Width}x{image.Height}: no pixels to make a mask from");

        var (data, thresholds, artefactAware) = Classify(image, options);
        if (artefactAware is not null && options.CheckFaintCells) FaintCellCheck.Apply(slide, resolution, image, data, artefactAware);
        var removed = SmallObjects.Remove(data, image.Width, image.Height, options.MinObjectSize);
        var mask = new SlideMask(image.Width, image.Height, resolution.Level, resolution.Downsample, data);
        return new TissueMaskResult(mask, image, thresholds, resolution, removed, options.Method, artefactAware);
    }

    /// <summary>
    /// The mask of an image already at the mask's resolution (one byte per pixel, <see cref="TissueRule.Tissue"/> or 0),
    /// with <see cref="TissueMaskOptions.Method"/> and <see cref="TissueMaskOptions.MinObjectSize"/>: what benchmarks and tests of drawn images use.
    /// </summary>
    public static byte[] Detect(RgbImage image, TissueMaskOptions? options = null)
    {
        options ??= new TissueMaskOptions();
        var data = Classify(image, options).Data;
        SmallObjects.Remove(data, image.Width, image.Height, options.MinObjectSize);
        return data;
    }

    private static (byte[] Data, TissueThresholds Thresholds, ArtefactAwareThresholds? ArtefactAware) Classify(RgbImage image, TissueMaskOptions options)
    {
        if (options.Method == TissueMethod.Otsu)
        {
            var thresholds = TissueRule.OtsuThresholds(image, options.RgbMinimum);
            return (TissueRule.Apply(image, thresholds), thresholds, null);
        }
        var artefactAware = ArtefactAwareRule.Thresholds(image, options.RgbMinimum);
        return (ArtefactAwareRule.Apply(image, artefactAware), artefactAware.Stained, artefactAware);
    }

    private static MaskResolution ResolutionFor(Slide slide, TissueMaskOptions options)
    {
        if (options.Level is not { } level) return MaskResolution.Choose(slide.Levels, options.TargetDownsample);
        if (level < 0 || level >= slide.Levels.Count)
            throw new SlideException(slide.Path, $"has no level {level} (it has levels 0 to {slide.Levels.Count - 1})");
        return MaskResolution.Of(slide.Levels[level]);
    }
}
