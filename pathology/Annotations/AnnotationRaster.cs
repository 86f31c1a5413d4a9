namespace OrleansPathology.Annotations;

/// <summary>
/// Annotations prepared for scanline filling at one downsample (see <see cref="AnnotationRasterizer"/>): each outline's
/// edges, sorted by first row and indexed by bands of rows so that a window touches only the edges that cross it.
/// Immutable once built; any number of threads may fill windows from one instance.
/// </summary>
public sealed class AnnotationRaster
{
    private readonly ScanPolygon[] _polygons;

    internal AnnotationRaster(SlideAnnotations annotations, double downsample)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        if (!(downsample > 0) || !double.IsFinite(downsample))
            throw new ArgumentOutOfRangeException(nameof(downsample), downsample, "downsample must be a positive finite number");
        Downsample = downsample;
        // Order is the label semantics: exclusion is painted after tumour so it cuts tumour out, as AnnotationToMask does.
        _polygons =
        [
            .. annotations.Tumour.Select(p => new ScanPolygon(p, downsample, TumourLabel)),
            .. annotations.Exclusion.Select(p => new ScanPolygon(p, downsample, 0)),
        ];
    }

    /// <summary>The value tumour pixels get (CAMELYON16's label map: <c>_0</c> and <c>_1</c> to 1).</summary>
    public const byte TumourLabel = 1;

    /// <summary>Level-0 pixels per mask pixel.</summary>
    public double Downsample { get; }

    /// <summary>
    /// Whether any tumour outline's bounding box meets the window: false means the window is certainly all 0,
    /// so a caller can skip filling it. True does not promise a tumour pixel.
    /// </summary>
    public bool MayContainTumour(long x0, long y0, int width, int height)
    {
        foreach (var polygon in _polygons)
        {
            if (polygon.Label != 0 && polygon.Meets(x0, y0, width, height)) return true;
        }
        return false;
    }

    /// <summary>
    /// Writes the window's labels, row-major with <paramref name="width"/> bytes per row, into the first
    /// width·height bytes of <paramref name="into"/>: 1 for tumour, 0 otherwise.
    /// </summary>
    public void FillWindow(long x0, long y0, int width, int height, Span<byte> into)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        var count = (long)width * height;
        if (into.Length < count)
            throw new ArgumentException($"buffer of {into.Length} bytes is too small for a {width}x{height} window", nameof(into));
        var window = into[..(int)count];
        window.Clear();
        if (count == 0) return;

        var scratch = new ScanScratch();
        try
        {
            foreach (var polygon in _polygons)
            {
                if (polygon.Meets(x0, y0, width, height)) polygon.Fill(x0, y0, width, height, window, Downsample, ref scratch);
            }
        }
        finally
        {
            scratch.Return();
        }
    }
}
