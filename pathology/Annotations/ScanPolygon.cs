namespace OrleansPathology.Annotations;

/// <summary>
/// One outline ready for even-odd scanline filling with a label. An edge from y_a to y_b (y_a &lt; y_b) crosses row j
/// when y_a ≤ centre(j) &lt; y_b: half-open, so a vertex shared by two edges is counted once where the outline passes
/// through it and twice (or not at all) at a peak, which keeps every row's crossing count even.
/// </summary>
internal sealed class ScanPolygon
{
    // Rows per band of the window index: small enough that a tile skips most of a long outline's edges,
    // large enough that a tall edge (a rectangle's side) is listed in few bands.
    private const int BandRows = 64;

    // Far beyond any slide (CAMELYON16's are ~2.2e5 level-0 pixels high); bounds the band index of a corrupt outline.
    private const double CoordinateLimit = AnnotationPolygon.CoordinateLimit;

    private readonly ScanEdge[] _edges;      // sorted by StartRow
    private readonly int[] _bandOffsets;     // band b lists _bandEdges[_bandOffsets[b].._bandOffsets[b + 1]]
    private readonly int[] _bandEdges;       // edge indices, ascending within a band
    private readonly long _minRow, _endRow, _minColumn, _endColumn;

    public ScanPolygon(AnnotationPolygon polygon, double downsample, byte label)
    {
        Label = label;
        var vertices = polygon.Vertices;
        foreach (var v in vertices)
        {
            if (!(Math.Abs(v.X) <= CoordinateLimit) || !(Math.Abs(v.Y) <= CoordinateLimit))
                throw new ArgumentException($"annotation '{polygon.Name}' has vertex ({v.X}, {v.Y}), beyond ±{CoordinateLimit:0} level-0 pixels of any slide");
        }

        var edges = new List<ScanEdge>(vertices.Count);
        for (var i = 0; i < vertices.Count; i++)
        {
            var a = vertices[i];
            var b = vertices[(i + 1) % vertices.Count];
            if (a.Y == b.Y) continue; // horizontal: crosses no row centre under the half-open rule
            if (a.Y > b.Y) (a, b) = (b, a);
            var startRow = PixelCentres.FirstAtOrAbove(a.Y, downsample);
            var endRow = PixelCentres.FirstAtOrAbove(b.Y, downsample);
            if (endRow > startRow) edges.Add(new ScanEdge(startRow, endRow, a.Y, a.X, (b.X - a.X) / (b.Y - a.Y)));
        }
        edges.Sort((p, q) => p.StartRow.CompareTo(q.StartRow));
        _edges = [.. edges];

        if (_edges.Length == 0)
        {
            // Too flat to cover any row centre: fills nothing (and _minColumn == _endColumn keeps it out of every window).
            _bandOffsets = [0];
            _bandEdges = [];
            return;
        }

        _minRow = _edges[0].StartRow;
        _endRow = _edges.Max(e => e.EndRow);
        var (minX, _, maxX, _) = PolygonGeometry.Bounds(vertices);
        _minColumn = PixelCentres.FirstAtOrAbove(minX, downsample);
        _endColumn = PixelCentres.FirstAtOrAbove(maxX, downsample);
        (_bandOffsets, _bandEdges) = BuildBands();
    }

    public byte Label { get; }

    /// <summary>Whether the outline's pixel bounding box meets the window (level pixels).</summary>
    public bool Meets(long x0, long y0, int width, int height) =>
        _minColumn < _endColumn && _minRow < y0 + height && _endRow > y0 && _minColumn < x0 + width && _endColumn > x0;

    public void Fill(long x0, long y0, int width, int height, Span<byte> window, double downsample, ref ScanScratch scratch)
    {
        var firstRow = Math.Max(y0, _minRow);
        var endRow = Math.Min(y0 + height, _endRow);
        if (firstRow >= endRow) return;

        var candidates = GatherEdges(firstRow, endRow, ref scratch);
        var active = ScanScratch.Grow(ref scratch.Active, candidates.Length);
        var activeCount = 0;
        var next = 0;
        var windowEnd = x0 + width;

        for (var row = firstRow; row < endRow; row++)
        {
            while (next < candidates.Length && candidates[next].StartRow <= row) active[activeCount++] = next++;
            var kept = 0;
            for (var k = 0; k < activeCount; k++)
            {
                if (candidates[active[k]].EndRow > row) active[kept++] = active[k];
            }
            activeCount = kept;
            if (activeCount == 0) continue;

            var centre = PixelCentres.Centre(row, downsample);
            var crossings = ScanScratch.Grow(ref scratch.Crossings, activeCount).AsSpan(0, activeCount);
            for (var k = 0; k < activeCount; k++) crossings[k] = candidates[active[k]].XAt(centre);
            crossings.Sort();

            var line = window.Slice((int)(row - y0) * width, width);
            // Even-odd: inside between the 1st and 2nd crossing, the 3rd and 4th, ...; a span [xa, xb) holds the
            // pixels whose centre lies in it, the same half-open rule as the rows.
            for (var k = 0; k + 1 < activeCount; k += 2)
            {
                var from = Math.Max(PixelCentres.FirstAtOrAbove(crossings[k], downsample), x0);
                var to = Math.Min(PixelCentres.FirstAtOrAbove(crossings[k + 1], downsample), windowEnd);
                if (to > from) line.Slice((int)(from - x0), (int)(to - from)).Fill(Label);
            }
        }
    }

    /// <summary>The edges that cross any row in [firstRow, endRow), sorted by StartRow.</summary>
    private ReadOnlySpan<ScanEdge> GatherEdges(long firstRow, long endRow, ref ScanScratch scratch)
    {
        var firstBand = (int)((firstRow - _minRow) / BandRows);
        var lastBand = (int)((endRow - 1 - _minRow) / BandRows);
        var upperBound = _bandOffsets[lastBand + 1] - _bandOffsets[firstBand];
        var buffer = ScanScratch.Grow(ref scratch.Edges, upperBound);
        var count = 0;
        for (var band = firstBand; band <= lastBand; band++)
        {
            for (var k = _bandOffsets[band]; k < _bandOffsets[band + 1]; k++)
            {
                var edge = _edges[_bandEdges[k]];
                // An edge listed in several bands is taken from the first band it shares with the window only:
                // the window's first band, or the band it starts in. Edges within a band ascend by StartRow, and
                // later bands add only edges starting in them, so the result stays sorted.
                if (band != firstBand && BandOf(edge.StartRow) != band) continue;
                if (edge.EndRow > firstRow && edge.StartRow < endRow) buffer[count++] = edge;
            }
        }
        return buffer.AsSpan(0, count);
    }

    private int BandOf(long row) => (int)((row - _minRow) / BandRows);

    private (int[] Offsets, int[] Edges) BuildBands()
    {
        var bands = BandOf(_endRow - 1) + 1;
        var offsets = new int[bands + 1];
        foreach (var edge in _edges)
        {
            for (var band = BandOf(edge.StartRow); band <= BandOf(edge.EndRow - 1); band++) offsets[band + 1]++;
        }
        for (var band = 0; band < bands; band++) offsets[band + 1] += offsets[band];

        var fill = offsets[..^1];
        var listed = new int[offsets[bands]];
        for (var i = 0; i < _edges.Length; i++)
        {
            for (var band = BandOf(_edges[i].StartRow); band <= BandOf(_edges[i].EndRow - 1); band++) listed[fill[band]++] = i;
        }
        return (offsets, listed);
    }
}
