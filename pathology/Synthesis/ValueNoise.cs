namespace OrleansPathology.Synthesis;

/// <summary>
/// Smooth lattice noise in [0, 1): hashed values at the corners of a square lattice, blended with a smoothstep.
/// A pure function of (key, x, y), so any tile can evaluate it without the others.
/// </summary>
internal static class ValueNoise
{
    public static double At(ulong key, double x, double y, double spacing)
    {
        var gx = x / spacing;
        var gy = y / spacing;
        var ix = (long)Math.Floor(gx);
        var iy = (long)Math.Floor(gy);
        var fx = Smooth(gx - ix);
        var fy = Smooth(gy - iy);
        var a = Corner(key, ix, iy);
        var b = Corner(key, ix + 1, iy);
        var c = Corner(key, ix, iy + 1);
        var d = Corner(key, ix + 1, iy + 1);
        return (a + (b - a) * fx) * (1 - fy) + (c + (d - c) * fx) * fy;
    }

    /// <summary>Two octaves (spacing and spacing/3) weighted 2:1: blobs with uneven edges rather than lattice-round ones.</summary>
    public static double Fractal(ulong key, double x, double y, double spacing) =>
        (2 * At(key, x, y, spacing) + At(key ^ 0xA5A5A5A5UL, x, y, spacing / 3)) / 3;

    private static double Corner(ulong key, long x, long y) => (SplitMix64.Hash(key, x, y) >> 11) * (1.0 / (1UL << 53));

    private static double Smooth(double t) => t * t * (3 - 2 * t);
}
