using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>
/// Paints a probability map over a slide thumbnail: computed cells blended with a blue-to-red ramp
/// (more opaque as probability rises), glass and uncomputed cells left as the thumbnail shows them.
/// </summary>
public static class HeatmapRenderer
{
    /// <summary>Renders at the map's size; <paramref name="thumbnail"/> may be any size and is sampled at cell centres.</summary>
    public static RgbImage Render(RgbImage thumbnail, ProbabilityMap map)
    {
        var output = new RgbImage(map.Width, map.Height);
        for (var y = 0; y < map.Height; y++)
        {
            var ty = Math.Min(thumbnail.Height - 1, (int)((y + 0.5) * thumbnail.Height / map.Height));
            for (var x = 0; x < map.Width; x++)
            {
                var tx = Math.Min(thumbnail.Width - 1, (int)((x + 0.5) * thumbnail.Width / map.Width));
                var background = thumbnail[tx, ty];
                var p = map[x, y];
                if (float.IsNaN(p))
                {
                    output[x, y] = background;
                    continue;
                }
                var (r, g, b) = Ramp(p);
                var alpha = 0.35f + 0.6f * Math.Clamp(p, 0f, 1f);
                output[x, y] = (Blend(background.R, r, alpha), Blend(background.G, g, alpha), Blend(background.B, b, alpha));
            }
        }
        return output;
    }

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

    /// <summary>A perceptually ordered blue -> cyan -> yellow -> red ramp for probabilities 0 to 1.</summary>
    public static (byte R, byte G, byte B) Ramp(float p)
    {
        p = Math.Clamp(p, 0f, 1f);
        (float R, float G, float B)[] stops = [(0.1f, 0.2f, 0.9f), (0.1f, 0.8f, 0.9f), (1f, 0.9f, 0.1f), (0.9f, 0.05f, 0.05f)];
        var t = p * (stops.Length - 1);
        var i = Math.Min((int)t, stops.Length - 2);
        var f = t - i;
        var (a, b) = (stops[i], stops[i + 1]);
        return ((byte)(255 * (a.R + (b.R - a.R) * f)), (byte)(255 * (a.G + (b.G - a.G) * f)), (byte)(255 * (a.B + (b.B - a.B) * f)));
    }

    private static byte Blend(byte under, byte over, float alpha) => (byte)Math.Round(under * (1 - alpha) + over * alpha);
}
