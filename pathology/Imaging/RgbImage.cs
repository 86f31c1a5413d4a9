namespace OrleansPathology.Imaging;

/// <summary>
/// An 8-bit RGB raster, rows top to bottom, pixels interleaved R,G,B. The one pixel format the domain
/// library passes around: slides are read into it, masks are computed from it, tensors are made from it.
/// </summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height)
        : this(width, height, new byte[checked(width * height * 3)])
    {
    }

    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (pixels.Length != (long)width * height * 3)
            throw new ArgumentException($"{pixels.Length} bytes do not hold a {width}x{height} RGB image.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>R,G,B bytes, <c>Width * 3</c> per row.</summary>
    public byte[] Pixels { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            var i = (y * Width + x) * 3;
            return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            var i = (y * Width + x) * 3;
            Pixels[i] = value.R;
            Pixels[i + 1] = value.G;
            Pixels[i + 2] = value.B;
        }
    }

    /// <summary>The share of the image's pixels for which <paramref name="holds"/> is true (0 for an empty image).</summary>
    public double ShareOf(Func<byte, byte, byte, bool> holds)
    {
        var count = Width * Height;
        if (count == 0) return 0;
        var matching = 0;
        for (var i = 0; i < Pixels.Length; i += 3)
        {
            if (holds(Pixels[i], Pixels[i + 1], Pixels[i + 2])) matching++;
        }
        return (double)matching / count;
    }
}
