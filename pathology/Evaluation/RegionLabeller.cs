namespace OrleansPathology.Evaluation;

/// <summary>
/// One connected region of a label image, with the second moments skimage's <c>regionprops</c> derives its ellipse from.
/// Coordinates are mask pixels (column X, row Y).
/// </summary>
/// <param name="Label">1-based, in raster order of each region's first pixel (as skimage's <c>label</c> numbers them).</param>
/// <param name="Area">Pixels in the region.</param>
/// <param name="FirstX">Column of the region's first pixel in raster order (a pixel certainly inside it).</param>
/// <param name="FirstY">Row of that pixel.</param>
/// <param name="CentroidX">Mean column.</param>
/// <param name="CentroidY">Mean row.</param>
/// <param name="MajorAxisLength">
/// skimage's <c>major_axis_length</c>: 4 sqrt(l1), l1 the larger eigenvalue of the covariance of the pixel coordinates
/// (central second moments divided by the area, no pixel-size correction), so a single pixel has 0 and a straight run of
/// n pixels 4 sqrt((n^2 - 1) / 12).
/// </param>
/// <param name="MinX">Bounding box, inclusive.</param>
public sealed record LabelledRegion(int Label, long Area, int FirstX, int FirstY, double CentroidX, double CentroidY, double MajorAxisLength,
    int MinX, int MinY, int MaxX, int MaxY);

/// <summary>Labels 8-connected foreground regions (skimage <c>measure.label(image, connectivity=2)</c>) and measures them.</summary>
public static class RegionLabeller
{
    /// <summary>
    /// Labels of <paramref name="mask"/>'s non-zero pixels, row-major (0 = background), and each region's measures in label order.
    /// </summary>
    public static (int[] Labels, IReadOnlyList<LabelledRegion> Regions) Label(ReadOnlySpan<byte> mask, int width, int height)
    {
        if (mask.Length != (long)width * height)
            throw new ArgumentException($"{mask.Length} bytes do not hold a {width}x{height} image", nameof(mask));
        var labels = new int[mask.Length];
        var regions = new List<LabelledRegion>();
        var stack = new Stack<int>();
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || labels[start] != 0) continue;
            var label = regions.Count + 1;
            var moments = new Moments(start % width, start / width);
            labels[start] = label;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                var (x, y) = (i % width, i / width);
                moments.Add(x, y);
                for (var dy = -1; dy <= 1; dy++)
                {
                    var ny = y + dy;
                    if ((uint)ny >= (uint)height) continue;
                    for (var dx = -1; dx <= 1; dx++)
                    {
                        var nx = x + dx;
                        if ((uint)nx >= (uint)width) continue;
                        var j = ny * width + nx;
                        if (mask[j] == 0 || labels[j] != 0) continue;
                        labels[j] = label;
                        stack.Push(j);
                    }
                }
            }
            regions.Add(moments.ToRegion(label, start % width, start / width));
        }
        return (labels, regions);
    }

    /// <summary>Exact integer sums of the coordinates and their products; Int128 keeps n·Σx² − (Σx)² exact on any mask.</summary>
    private sealed class Moments(int firstX, int firstY)
    {
        private long _n, _sx, _sy, _sxx, _syy, _sxy;
        private int _minX = firstX, _minY = firstY, _maxX = firstX, _maxY = firstY;

        public void Add(int x, int y)
        {
            _n++;
            _sx += x;
            _sy += y;
            _sxx += (long)x * x;
            _syy += (long)y * y;
            _sxy += (long)x * y;
            _minX = Math.Min(_minX, x);
            _maxX = Math.Max(_maxX, x);
            _minY = Math.Min(_minY, y);
            _maxY = Math.Max(_maxY, y);
        }

        public LabelledRegion ToRegion(int label, int firstX, int firstY)
        {
            var n = (double)_n;
            var n2 = n * n;
            // Covariance entries: (n·Σab − Σa·Σb) / n².
            var cxx = (double)((Int128)_n * _sxx - (Int128)_sx * _sx) / n2;
            var cyy = (double)((Int128)_n * _syy - (Int128)_sy * _sy) / n2;
            var cxy = (double)((Int128)_n * _sxy - (Int128)_sx * _sy) / n2;
            var halfTrace = (cxx + cyy) / 2;
            var determinant = cxx * cyy - cxy * cxy;
            var largest = halfTrace + Math.Sqrt(Math.Max(halfTrace * halfTrace - determinant, 0));
            var major = 4 * Math.Sqrt(Math.Max(largest, 0));
            return new LabelledRegion(label, _n, firstX, firstY, _sx / n, _sy / n, major, _minX, _minY, _maxX, _maxY);
        }
    }
}
