using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>The map's colour ramp (for the overlay) and its 8-bit greyscale view (for the PNG of the map).</summary>
public static class HeatmapRenderer
{
    /// <summary>An 8-bit greyscale view of the map (0 = not computed or 0, 255 = 1), for overlays in viewers.</summary>
    public static byte[] ToBytes(ProbabilityMap map)
    {
        var bytes = new byte[map.Values.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var p = map.Values[i];
            bytes[i] = float.IsNaN(p) ? (byte)0 : (byte)Math.Round(Math.Clamp(p, 0f, 1f) * 255);
        }
        return bytes;
    }

    // Blue, cyan, yellow, red: a field, so colouring a map's millions of cells allocates nothing.
    private static readonly (float R, float G, float B)[] RampStops = [(0.1f, 0.2f, 0.9f), (0.1f, 0.8f, 0.9f), (1f, 0.9f, 0.1f), (0.9f, 0.05f, 0.05f)];

    /// <summary>A perceptually ordered blue -> cyan -> yellow -> red ramp for probabilities 0 to 1.</summary>
    public static (byte R, byte G, byte B) Ramp(float p)
    {
        p = Math.Clamp(p, 0f, 1f);
        var t = p * (RampStops.Length - 1);
        var i = Math.Min((int)t, RampStops.Length - 2);
        var f = t - i;
        var (a, b) = (RampStops[i], RampStops[i + 1]);
        return ((byte)(255 * (a.R + (b.R - a.R) * f)), (byte)(255 * (a.G + (b.G - a.G) * f)), (byte)(255 * (a.B + (b.B - a.B) * f)));
    }

}
