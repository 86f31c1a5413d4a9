namespace OrleansPathology.Synthesis;

/// <summary>One level of a power-of-two tiled pyramid: level k is level 0 halved k times, sizes rounded up.</summary>
internal sealed record PyramidLevel(int Index, long Width, long Height, int TileSize)
{
    public long Downsample => 1L << Index;
    public int TilesAcross => checked((int)((Width + TileSize - 1) / TileSize));
    public int TilesDown => checked((int)((Height + TileSize - 1) / TileSize));
    public int TileCount => checked(TilesAcross * TilesDown);

    /// <summary>Levels 0 .. log2(<paramref name="maxDownsample"/>), each half the one above (ceil), none smaller than 1x1.</summary>
    public static IReadOnlyList<PyramidLevel> For(long width, long height, int tileSize, int maxDownsample)
    {
        if (!int.IsPow2(maxDownsample)) throw new ArgumentException($"max downsample {maxDownsample} is not a power of two", nameof(maxDownsample));
        var levels = new List<PyramidLevel>();
        for (var k = 0; 1L << k <= maxDownsample; k++)
        {
            var d = 1L << k;
            levels.Add(new PyramidLevel(k, Math.Max(1, (width + d - 1) / d), Math.Max(1, (height + d - 1) / d), tileSize));
        }
        return levels;
    }
}
