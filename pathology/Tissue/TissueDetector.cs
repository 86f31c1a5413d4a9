using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// Foreground (tissue) masks of whole slides, made the NCRF/MONAI way: read the slide at a coarse
/// resolution, threshold it with <see cref="TissueRule"/> using that image's own Otsu thresholds, and
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

        var thresholds = TissueRule.OtsuThresholds(image, options.RgbMinimum);
        var data = TissueRule.Apply(image, thresholds);
        var removed = SmallObjects.Remove(data, image.Width, image.Height, options.MinObjectSize);
        var mask = new SlideMask(image.Width, image.Height, resolution.Level, resolution.Downsample, data);
        return new TissueMaskResult(mask, image, thresholds, resolution, removed);
    }

    private static MaskResolution ResolutionFor(Slide slide, TissueMaskOptions options)
    {
        if (options.Level is not { } level) return MaskResolution.Choose(slide.Levels, options.TargetDownsample);
        if (level < 0 || level >= slide.Levels.Count)
            throw new SlideException(slide.Path, $"has no level {level} (it has levels 0 to {slide.Levels.Count - 1})");
        return MaskResolution.Of(slide.Levels[level]);
    }
}
