namespace OrleansPathology.Slides;

/// <summary>One pyramid level: its pixel size and how many level-0 pixels one of its pixels spans.</summary>
public sealed record SlideLevel(int Index, long Width, long Height, double Downsample);

/// <summary>An image stored beside the pyramid (label, macro, thumbnail), by name and size.</summary>
public sealed record AssociatedImageInfo(string Name, long Width, long Height);

/// <summary>Where a slide's resolution came from.</summary>
public enum ResolutionSource
{
    /// <summary>OpenSlide's <c>openslide.mpp-x</c>/<c>openslide.mpp-y</c>.</summary>
    OpenSlide,

    /// <summary>Derived from <c>tiff.XResolution</c>, <c>tiff.YResolution</c> and <c>tiff.ResolutionUnit</c>.</summary>
    TiffTags,
}

/// <summary>Level-0 microns per pixel along X and Y, and where the figure came from.</summary>
public readonly record struct MicronsPerPixel(double X, double Y, ResolutionSource Source)
{
    /// <summary>The mean of X and Y, the single figure protocols such as CAMELYON16 quote (0.243 um/px).</summary>
    public double Mean => (X + Y) / 2;
}
