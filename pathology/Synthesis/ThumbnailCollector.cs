using OrleansPathology.Imaging;

namespace OrleansPathology.Synthesis;

/// <summary>Copies one pyramid level's strips into an image as the writer completes them: a thumbnail without reading the file back.</summary>
internal sealed class ThumbnailCollector(long width, long height, int level)
{
    public RgbImage Image { get; } = new(
        checked((int)((width + (1L << level) - 1) >> level)),
        checked((int)((height + (1L << level) - 1) >> level)));

    public void OnStrip(PyramidLevel pyramidLevel, int row, ReadOnlyMemory<byte> strip, int pitch)
    {
        if (pyramidLevel.Index != level) return;
        var rowBytes = Image.Width * 3;
        for (var y = 0; y < pyramidLevel.TileSize; y++)
        {
            var target = row * pyramidLevel.TileSize + y;
            if (target >= Image.Height) break;
            strip.Span.Slice(y * pitch, rowBytes).CopyTo(Image.Pixels.AsSpan(target * rowBytes));
        }
    }
}
