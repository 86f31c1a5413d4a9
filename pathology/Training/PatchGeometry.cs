namespace OrleansPathology.Training;

/// <summary>
/// Spatial augmentations of a square interleaved-RGB patch, in place: flips, quarter turns and a centred zoom that
/// keeps the size (MONAI's RandFlip, RandRotate90 and RandZoom with keep_size).
/// </summary>
public static class PatchGeometry
{
    /// <summary>Mirrors left to right.</summary>
    public static void FlipHorizontal(Span<byte> rgb, int size)
    {
        Check(rgb, size);
        for (var y = 0; y < size; y++)
        {
            var row = rgb.Slice(y * size * 3, size * 3);
            for (int l = 0, r = size - 1; l < r; l++, r--)
            {
                for (var c = 0; c < 3; c++) (row[l * 3 + c], row[r * 3 + c]) = (row[r * 3 + c], row[l * 3 + c]);
            }
        }
    }

    /// <summary>Mirrors top to bottom.</summary>
    public static void FlipVertical(Span<byte> rgb, int size)
    {
        Check(rgb, size);
        var stride = size * 3;
        var temp = new byte[stride];
        for (int t = 0, b = size - 1; t < b; t++, b--)
        {
            rgb.Slice(t * stride, stride).CopyTo(temp);
            rgb.Slice(b * stride, stride).CopyTo(rgb.Slice(t * stride, stride));
            temp.CopyTo(rgb.Slice(b * stride, stride));
        }
    }

    /// <summary>
    /// Rotates by <paramref name="quarterTurns"/> x 90 degrees counter-clockwise as displayed (rows downward), which is
    /// numpy's and torch's <c>rot90(image, k, axes=(H, W))</c> that MONAI's Rotate90 calls: out[i, j] = in[j, size-1-i] for k = 1.
    /// </summary>
    public static void Rotate90(Span<byte> rgb, int size, int quarterTurns)
    {
        Check(rgb, size);
        var k = ((quarterTurns % 4) + 4) % 4;
        if (k == 0) return;
        var source = rgb.ToArray();
        var last = size - 1;
        for (var i = 0; i < size; i++)
        for (var j = 0; j < size; j++)
        {
            var (si, sj) = k switch
            {
                1 => (j, last - i),
                2 => (last - i, last - j),
                _ => (last - j, i),
            };
            var to = (i * size + j) * 3;
            var from = (si * size + sj) * 3;
            rgb[to] = source[from];
            rgb[to + 1] = source[from + 1];
            rgb[to + 2] = source[from + 2];
        }
    }

    /// <summary>
    /// Zooms about the centre by <paramref name="factor"/> (above 1 enlarges), keeping the size: output pixel centre
    /// p samples the input at c + (p - c) / factor, c the image centre, with bilinear interpolation; samples beyond the
    /// border take the nearest edge pixel (MONAI RandZoom's default padding_mode "edge"). MONAI resizes with "area"
    /// interpolation and then crops or pads; for factors within 0.9..1.1 the two differ by under a grey level on
    /// smooth regions and by a fraction of a pixel's blur on edges. A factor of exactly 1 leaves the patch unchanged.
    /// </summary>
    public static void Zoom(Span<byte> rgb, int size, double factor)
    {
        Check(rgb, size);
        if (!(factor > 0) || !double.IsFinite(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "zoom factor must be positive");
        if (factor == 1) return;
        var source = rgb.ToArray();
        var centre = size / 2.0;
        var last = size - 1;
        // Source coordinates depend on x or y alone: precompute both axes' taps and weights.
        var (lo, hi, weight) = Taps(size, centre, factor, last);
        for (var y = 0; y < size; y++)
        {
            var y0 = lo[y] * size;
            var y1 = hi[y] * size;
            var wy = weight[y];
            for (var x = 0; x < size; x++)
            {
                var wx = weight[x];
                var a = (y0 + lo[x]) * 3;
                var b = (y0 + hi[x]) * 3;
                var c = (y1 + lo[x]) * 3;
                var d = (y1 + hi[x]) * 3;
                var to = (y * size + x) * 3;
                for (var ch = 0; ch < 3; ch++)
                {
                    var top = source[a + ch] + (source[b + ch] - source[a + ch]) * wx;
                    var bottom = source[c + ch] + (source[d + ch] - source[c + ch]) * wx;
                    var value = top + (bottom - top) * wy;
                    rgb[to + ch] = (byte)Math.Clamp(MathF.Round(value), 0f, 255f);
                }
            }
        }
    }

    private static (int[] Lo, int[] Hi, float[] Weight) Taps(int size, double centre, double factor, int last)
    {
        var lo = new int[size];
        var hi = new int[size];
        var weight = new float[size];
        for (var p = 0; p < size; p++)
        {
            var s = Math.Clamp(centre + (p + 0.5 - centre) / factor - 0.5, 0, last);
            var i = (int)Math.Floor(s);
            lo[p] = i;
            hi[p] = Math.Min(i + 1, last);
            weight[p] = (float)(s - i);
        }
        return (lo, hi, weight);
    }

    private static void Check(ReadOnlySpan<byte> rgb, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (rgb.Length != size * size * 3)
            throw new ArgumentException($"{rgb.Length} bytes is not a {size}x{size} RGB patch ({size * size * 3} bytes)", nameof(rgb));
    }
}
