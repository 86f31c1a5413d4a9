namespace OrleansPathology.Synthesis;

/// <summary>2x2 box filter, the reduction each pyramid level applies to the one above.</summary>
internal static class Downsampler
{
    /// <summary>
    /// Halves a <paramref name="width"/>x<paramref name="height"/> RGB block (even sizes) from
    /// <paramref name="source"/> into <paramref name="target"/>, each with its own row pitch in bytes.
    /// Rounded integer mean, so the result is exact and the same on every machine.
    /// </summary>
    public static void Halve(ReadOnlySpan<byte> source, int sourcePitch, int width, int height, Span<byte> target, int targetPitch)
    {
        var outWidth = width / 2;
        for (var y = 0; y < height / 2; y++)
        {
            var top = source.Slice(2 * y * sourcePitch, width * 3);
            var bottom = source.Slice((2 * y + 1) * sourcePitch, width * 3);
            var row = target.Slice(y * targetPitch, outWidth * 3);
            for (var x = 0; x < outWidth; x++)
            {
                var s = x * 6;
                var t = x * 3;
                row[t] = (byte)((top[s] + top[s + 3] + bottom[s] + bottom[s + 3] + 2) >> 2);
                row[t + 1] = (byte)((top[s + 1] + top[s + 4] + bottom[s + 1] + bottom[s + 4] + 2) >> 2);
                row[t + 2] = (byte)((top[s + 2] + top[s + 5] + bottom[s + 2] + bottom[s + 5] + 2) >> 2);
            }
        }
    }
}
