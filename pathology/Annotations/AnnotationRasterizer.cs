using OrleansPathology.Imaging;

namespace OrleansPathology.Annotations;

/// <summary>
/// Turns annotations into a ground-truth mask as the official CAMELYON16 masks were made with ASAP's
/// AnnotationToMask: tumour outlines filled with 1, then exclusion outlines filled with 0 on top.
/// Mask pixel (i, j) at downsample d is inside an outline when its centre ((i + 0.5)·d, (j + 0.5)·d) in
/// level-0 coordinates is, by the even-odd rule applied to each outline on its own.
/// </summary>
public static class AnnotationRasterizer
{
    /// <summary>
    /// The whole slide's mask at one level: ceil(level0 / <paramref name="downsample"/>) pixels in each axis,
    /// 1 for tumour and 0 elsewhere. A mask too large for one array (level 0 of a CAMELYON slide, say) is an
    /// <see cref="ArgumentException"/>; fill such a level window by window with <see cref="RasterizeWindow"/>.
    /// </summary>
    public static SlideMask Rasterize(SlideAnnotations annotations, long level0Width, long level0Height, int level, double downsample)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        ArgumentOutOfRangeException.ThrowIfNegative(level0Width);
        ArgumentOutOfRangeException.ThrowIfNegative(level0Height);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        if (!(downsample >= 1) || !double.IsFinite(downsample))
            throw new ArgumentOutOfRangeException(nameof(downsample), downsample, "downsample must be a finite number of at least 1");

        var width = (long)Math.Ceiling(level0Width / downsample);
        var height = (long)Math.Ceiling(level0Height / downsample);
        if (width > int.MaxValue || height > int.MaxValue || width * height > Array.MaxLength)
            throw new ArgumentException($"a {width}x{height} mask at level {level} (downsample {downsample}) of a {level0Width}x{level0Height} slide does not fit in one array; use a higher level or rasterise window by window");

        var mask = new SlideMask((int)width, (int)height, level, downsample);
        Prepare(annotations, downsample).FillWindow(0, 0, (int)width, (int)height, mask.Data);
        return mask;
    }

    /// <summary>
    /// Fills one window of a level's mask: <paramref name="into"/>[r·<paramref name="width"/> + c] becomes the label of
    /// level pixel (<paramref name="x0"/> + c, <paramref name="y0"/> + r), 1 for tumour and 0 otherwise; every byte of the
    /// window is written. Equal to the matching crop of <see cref="Rasterize"/>'s mask, without allocating the slide.
    /// The window may reach past the slide (pixels there follow the same rule). At level 0 pass downsample 1 and
    /// level-0 pixel coordinates. Filling many windows of one slide? <see cref="Prepare"/> once and call
    /// <see cref="AnnotationRaster.FillWindow"/>: this method re-prepares every outline on each call.
    /// </summary>
    public static void RasterizeWindow(SlideAnnotations annotations, int level, double downsample, long x0, long y0, int width, int height, Span<byte> into)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        Prepare(annotations, downsample).FillWindow(x0, y0, width, height, into);
    }

    /// <summary>Builds the edge tables of every outline for one downsample, to fill many windows from (thread-safe once built).</summary>
    public static AnnotationRaster Prepare(SlideAnnotations annotations, double downsample) => new(annotations, downsample);
}
