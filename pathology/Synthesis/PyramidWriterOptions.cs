namespace OrleansPathology.Synthesis;

/// <summary>How <see cref="PyramidWriter"/> lays out and compresses a slide.</summary>
internal sealed record PyramidWriterOptions
{
    /// <summary>Tile edge in pixels; 256 as most scanners and OpenSlide's own test slides use.</summary>
    public int TileSize { get; init; } = 256;

    /// <summary>The smallest level's downsample: CAMELYON16 slides go to about 256 (level 8 or 9).</summary>
    public int MaxDownsample { get; init; } = 256;

    /// <summary>JPEG quality 1..100. 85 keeps nuclear detail while keeping files near scanner sizes.</summary>
    public int JpegQuality { get; init; } = 85;

    /// <summary>Level-0 pixels per centimetre, written as XResolution/YResolution with ResolutionUnit=centimetre.</summary>
    public required double PixelsPerCentimetre { get; init; }

    /// <summary>ImageDescription of level 0; must not begin with a vendor's signature ("Aperio", XML), or OpenSlide would take it for that vendor.</summary>
    public string? Description { get; init; }

    /// <summary>TJSAMP_* chroma subsampling of the JPEG tiles: 4:2:0 (2) as scanners write; 0 (4:4:4) and 1 (4:2:2) for readers' tests.</summary>
    public int JpegSubsampling { get; init; } = TurboJpegNative.Subsampling420;

    /// <summary>Worker threads; tiles come out identical whatever the number.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}
