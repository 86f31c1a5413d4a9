namespace OrleansPathology.Evaluation;

/// <summary>
/// Exact Euclidean distance transform of a binary image (what scipy's <c>ndimage.distance_transform_edt</c> computes on
/// the inverted mask): for every pixel, the squared distance in pixels to the nearest feature pixel, 0 on features.
/// Felzenszwalb and Huttenlocher's separable algorithm ("Distance Transforms of Sampled Functions", Theory of Computing
/// 8, 2012): a 1-D transform down each column, then the lower envelope of parabolas along each row; linear time.
/// </summary>
public static class DistanceTransform
{
    /// <summary>The value of pixels with no feature anywhere in the image (and the ceiling of every distance).</summary>
    public const int Unreachable = int.MaxValue;

    /// <summary>
    /// Squared distances to the nearest pixel where <paramref name="feature"/> is non-zero, row-major, saturating at
    /// <see cref="Unreachable"/>. Pixels beyond the image are never features (as in scipy).
    /// </summary>
    public static int[] SquaredDistances(ReadOnlySpan<byte> feature, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (feature.Length != (long)width * height)
            throw new ArgumentException($"{feature.Length} bytes do not hold a {width}x{height} image", nameof(feature));
        // Column distances squared must fit an int: 46340^2 < 2^31.
        if (height > 46_340 || width > 46_340)
            throw new ArgumentException($"a {width}x{height} image is too large for the distance transform (at most 46340 pixels a side)");

        var distances = new int[feature.Length];
        // Columns: distance to the nearest feature above or below, by a sweep each way.
        for (var x = 0; x < width; x++)
        {
            var last = -1;
            for (var y = 0; y < height; y++)
            {
                if (feature[y * width + x] != 0) last = y;
                distances[y * width + x] = last < 0 ? Unreachable : (y - last) * (y - last);
            }
            last = -1;
            for (var y = height - 1; y >= 0; y--)
            {
                if (feature[y * width + x] != 0) last = y;
                if (last >= 0)
                {
                    var d = (last - y) * (last - y);
                    if (d < distances[y * width + x]) distances[y * width + x] = d;
                }
            }
        }

        // Rows: d(x) = min over q of (x - q)^2 + column(q), the lower envelope of parabolas rooted at finite columns.
        var f = new long[width];
        var v = new int[width];
        var z = new double[width + 1];
        for (var y = 0; y < height; y++)
        {
            var row = distances.AsSpan(y * width, width);
            for (var x = 0; x < width; x++) f[x] = row[x];
            var k = -1;
            for (var q = 0; q < width; q++)
            {
                if (f[q] == Unreachable) continue;
                if (k < 0)
                {
                    k = 0;
                    v[0] = q;
                    z[0] = double.NegativeInfinity;
                    z[1] = double.PositiveInfinity;
                    continue;
                }
                var s = Intersection(f, q, v[k]);
                while (s <= z[k])
                {
                    k--;
                    s = Intersection(f, q, v[k]);
                }
                k++;
                v[k] = q;
                z[k] = s;
                z[k + 1] = double.PositiveInfinity;
            }
            if (k < 0) continue; // no feature in any column reaching this row: stays Unreachable

            k = 0;
            for (var x = 0; x < width; x++)
            {
                while (z[k + 1] < x) k++;
                var dx = (long)(x - v[k]);
                row[x] = (int)Math.Min(Unreachable, dx * dx + f[v[k]]);
            }
        }
        return distances;
    }

    // Where the parabolas rooted at q and p (p < q) cross.
    private static double Intersection(long[] f, int q, int p) =>
        ((f[q] + (long)q * q) - (f[p] + (long)p * p)) / (2.0 * (q - p));
}
