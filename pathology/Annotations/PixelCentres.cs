namespace OrleansPathology.Annotations;

/// <summary>
/// The one rule that maps level-0 coordinates to mask pixels: pixel k at downsample d has its centre at
/// (k + 0.5)·d. Rows and columns both go through here, so an edge's row range and a span's column range
/// are decided by the same comparison and never disagree at a boundary.
/// </summary>
internal static class PixelCentres
{
    // Beyond any slide (CAMELYON level 0 is ~2e5 pixels) yet exact in a double, so clamped indices stay comparable.
    private const long Limit = 1L << 50;

    public static double Centre(long index, double downsample) => (index + 0.5) * downsample;

    /// <summary>The smallest pixel index whose centre is at or beyond <paramref name="coordinate"/>.</summary>
    public static long FirstAtOrAbove(double coordinate, double downsample)
    {
        var guess = Math.Ceiling(coordinate / downsample - 0.5);
        if (guess >= Limit) return Limit;
        if (guess <= -Limit) return -Limit;
        var index = (long)guess;
        // The division can round across a boundary; settle it with the exact comparison the fill uses.
        while (Centre(index, downsample) < coordinate) index++;
        while (Centre(index - 1, downsample) >= coordinate) index--;
        return index;
    }
}
