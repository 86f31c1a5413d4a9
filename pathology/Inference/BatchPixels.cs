namespace OrleansPathology.Inference;

/// <summary>
/// The pixels one batch needs, read from the slide: <see cref="Count"/> RGB images of
/// <see cref="Width"/> x <see cref="Height"/> back to back (224 patches, or one dense region), at the start of
/// <see cref="Rgb"/>, which may be longer (a pooled buffer).
/// </summary>
public sealed record BatchPixels(TileBatch Batch, byte[] Rgb, int Count, int Width, int Height, long OriginX, long OriginY)
{
    /// <summary>The bytes of <see cref="Rgb"/> that hold pixels.</summary>
    public long Bytes => (long)Count * Width * Height * 3;
}
