namespace OrleansPathology.Imaging;

/// <summary>How a TIFF's tiles are stored.</summary>
public enum TileEncoding
{
    /// <summary>RGB as self-contained JPEG streams in YCbCr 4:2:0 (slides).</summary>
    JpegYCbCr,

    /// <summary>8-bit greyscale, uncompressed (probability maps: exact values, and small at 1/stride of the slide).</summary>
    Gray8,

    /// <summary>8-bit RGB with unassociated alpha, zlib-deflated (colour overlays: transparent where nothing was computed).</summary>
    RgbaDeflate,
}

/// <summary>
/// One pyramid level as a tiled TIFF image file directory: its size, where each tile's data lies,
/// and what it tells readers. Tiles are indexed row-major, as TIFF 6.0 section 15 orders TileOffsets.
/// </summary>
public sealed record TiffDirectory(
    long Width,
    long Height,
    int TileSize,
    long[] TileOffsets,
    long[] TileByteCounts,
    bool IsReducedResolution,
    double PixelsPerCentimetre,
    string? Description,
    TileEncoding Encoding = TileEncoding.JpegYCbCr);
