namespace OrleansPathology.Synthesis;

/// <summary>What the pyramid writer pulls level-0 pixels from.</summary>
internal interface ITileSource
{
    /// <summary>A renderer for one worker thread: it may keep scratch buffers, so it is never shared.</summary>
    ITileRenderer CreateRenderer();
}

/// <summary>Renders square level-0 tiles. Output must depend only on the coordinates, never on call order.</summary>
internal interface ITileRenderer
{
    /// <summary>Fills <paramref name="rgb"/> (size*size*3 bytes) with the tile whose top-left level-0 pixel is (<paramref name="x0"/>, <paramref name="y0"/>).</summary>
    void Render(long x0, long y0, int size, Span<byte> rgb);
}
