namespace OrleansPathology.Slides;

/// <summary>How a slide's pixels are read.</summary>
public sealed record SlideReadOptions
{
    /// <summary>
    /// Environment variable that turns the JPEG tile fast path off for every slide opened with the defaults
    /// (<c>OPATH_TILE_READER=openslide</c>): a switch for comparisons and for ruling the fast path out.
    /// </summary>
    public const string ReaderVariable = "OPATH_TILE_READER";

    /// <summary>The defaults, honouring <see cref="ReaderVariable"/>.</summary>
    public static SlideReadOptions Default { get; } = new()
    {
        JpegTiles = !string.Equals(Environment.GetEnvironmentVariable(ReaderVariable), "openslide", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>OpenSlide for every read, never the fast path.</summary>
    public static SlideReadOptions OpenSlideOnly { get; } = new() { JpegTiles = false };

    /// <summary>
    /// Read JPEG-compressed tiled TIFF and Aperio SVS levels by decoding their tiles with libjpeg-turbo (pixel
    /// for pixel what OpenSlide returns, several times faster); OpenSlide reads the rest. Default true.
    /// </summary>
    public bool JpegTiles { get; init; } = true;

    /// <summary>
    /// Decoded tiles kept for reads that only partly cover them (a window's edge, the overlap of neighbouring
    /// regions). Default 64 MiB: about 340 tiles of 256x256, two tile rows of a 40x slide 40000 px wide.
    /// </summary>
    public long TileCacheBytes { get; init; } = 64L << 20;

    /// <summary>
    /// Tiles lying wholly inside a read but within this many pixels of its edge are kept in the decoded-tile cache
    /// as well, because neighbouring reads overlap there: dense regions by twice their context margin plus a window
    /// less a stride, 352 px at the defaults. Default 352; 0 keeps only the tiles a read covers in part.
    /// </summary>
    public int SharedEdgePixels { get; init; } = 352;

    /// <summary>Threads decoding the tiles of one read. Default: the processor count.</summary>
    public int DecodeThreads { get; init; } = Environment.ProcessorCount;
}
