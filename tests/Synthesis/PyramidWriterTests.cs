using OrleansPathology.Slides;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>The TIFF writer on its own, with a smooth colour field whose every pixel is known: OpenSlide must see the pyramid and its colours.</summary>
public sealed class PyramidWriterTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-pyramid");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void OpenSlideReadsTheWrittenPyramidWithItsColours()
    {
        var path = Path.Combine(_dir, "field.tif");
        const long width = 1300, height = 700; // not tile multiples: edge tiles are partial
        PyramidWriter.Write(path, width, height, new ColourField(), new PyramidWriterOptions { PixelsPerCentimetre = 10_000 / 0.243, Parallelism = 2 });

        using var slide = Slide.Open(path);
        Assert.Equal("generic-tiff", slide.Vendor);
        Assert.Equal(9, slide.Levels.Count);
        for (var k = 0; k < 9; k++)
        {
            Assert.Equal((width + (1L << k) - 1) >> k, slide.Levels[k].Width);
            Assert.Equal((height + (1L << k) - 1) >> k, slide.Levels[k].Height);
        }
        Assert.Equal(0.243, slide.MicronsPerPixel!.Value.X, 6);
        Assert.Equal(0.243, slide.MicronsPerPixel!.Value.Y, 6);

        var image = slide.ReadRegion(0, 0, 0, (int)width, (int)height);
        var expected = new byte[width * height * 3];
        var tile = new byte[256 * 256 * 3];
        var renderer = new ColourField().CreateRenderer();
        for (long ty = 0; ty < height; ty += 256)
        for (long tx = 0; tx < width; tx += 256)
        {
            renderer.Render(tx, ty, 256, tile);
            for (var y = 0; y < 256 && ty + y < height; y++)
            for (var x = 0; x < 256 && tx + x < width; x++)
            for (var c = 0; c < 3; c++)
                expected[((ty + y) * width + tx + x) * 3 + c] = tile[(y * 256 + x) * 3 + c];
        }
        double total = 0;
        for (var i = 0; i < expected.Length; i++) total += Math.Abs(expected[i] - image.Pixels[i]);
        Assert.InRange(total / expected.Length, 0, 2.0);

        // A reduced level is the 2x2 mean of level 0: its centre pixel colour matches the field there.
        var level3 = slide.ReadRegion(0, 0, 3, (int)slide.Levels[3].Width, (int)slide.Levels[3].Height);
        var (r, g, b) = level3[80, 40];
        var (er, eg, eb) = ColourField.At(80 * 8 + 4, 40 * 8 + 4);
        Assert.InRange(Math.Abs(r - er) + Math.Abs(g - eg) + Math.Abs(b - eb), 0, 12);
    }

    /// <summary>Red rises to the right, green downwards, blue is the sum: a swapped or YCbCr-misread channel shows at once.</summary>
    private sealed class ColourField : ITileSource, ITileRenderer
    {
        public ITileRenderer CreateRenderer() => this;

        public static (byte R, byte G, byte B) At(long x, long y) =>
            ((byte)(40 + x * 180 / 1300), (byte)(30 + y * 200 / 700), (byte)(200 - (x + y) * 150 / 2000));

        public void Render(long x0, long y0, int size, Span<byte> rgb)
        {
            for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var (r, g, b) = At(Math.Min(x0 + x, 1299), Math.Min(y0 + y, 699));
                var i = (y * size + x) * 3;
                rgb[i] = r;
                rgb[i + 1] = g;
                rgb[i + 2] = b;
            }
        }
    }
}
