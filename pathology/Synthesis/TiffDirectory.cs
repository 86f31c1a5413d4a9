namespace OrleansPathology.Synthesis;

/// <summary>
/// One pyramid level as a tiled TIFF image file directory: its size, where each tile's JPEG stream lies,
/// and what it tells readers. Tiles are indexed row-major, as TIFF 6.0 section 15 orders TileOffsets.
/// </summary>
internal sealed record TiffDirectory(
    long Width,
    long Height,
    int TileSize,
    long[] TileOffsets,
    long[] TileByteCounts,
    bool IsReducedResolution,
    double PixelsPerCentimetre,
    string? Description);
