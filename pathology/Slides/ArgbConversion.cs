namespace OrleansPathology.Slides;

/// <summary>OpenSlide's premultiplied 0xAARRGGBB pixels to straight RGB bytes.</summary>
internal static class ArgbConversion
{
    public static void ToRgb(ReadOnlySpan<uint> argb, Span<byte> rgb)
    {
        for (int i = 0, o = 0; i < argb.Length; i++, o += 3)
        {
            var p = argb[i];
            var a = p >> 24;
            if (a == 255)
            {
                rgb[o] = (byte)(p >> 16);
                rgb[o + 1] = (byte)(p >> 8);
                rgb[o + 2] = (byte)p;
            }
            else if (a == 0)
            {
                // Outside the scanned area: show it as empty glass so tissue detection ignores it.
                rgb[o] = rgb[o + 1] = rgb[o + 2] = 255;
            }
            else
            {
                rgb[o] = Unpremultiply((p >> 16) & 0xff, a);
                rgb[o + 1] = Unpremultiply((p >> 8) & 0xff, a);
                rgb[o + 2] = Unpremultiply(p & 0xff, a);
            }
        }
    }

    // Rounded as OpenSlide's Python binding does (c * 255 + a/2) / a, clamped for malformed input.
    private static byte Unpremultiply(uint c, uint a) => (byte)Math.Min(255u, (c * 255 + a / 2) / a);
}
