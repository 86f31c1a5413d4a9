namespace OrleansPathology.Synthesis;

/// <summary>The synthetic H&amp;E slide as a tile source: one <see cref="HeTileRenderer"/> per worker over a shared <see cref="SlideTexture"/>.</summary>
internal sealed class HeTileSource(SlideTexture texture) : ITileSource
{
    public ITileRenderer CreateRenderer() => new HeTileRenderer(texture);
}
