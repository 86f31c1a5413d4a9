using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Slides;

/// <summary>
/// libopath_jpeg.so on a real Aperio tile (RGB components behind shared JPEGTables): every kind of part equals the
/// same pixels of TurboJPEG's whole decode, and a broken stream is an error returned, not a crash of the process
/// (libjpeg's longjmp stays inside the shim).
/// </summary>
public sealed class JpegPartDecoderTests
{
    [Fact]
    public unsafe void Parts_equal_the_whole_decode_and_broken_streams_fail_cleanly()
    {
        Assert.True(JpegPartDecoder.Available, JpegPartDecoder.Unavailable);
        var path = TestData.Slide("CMU-1-Small-Region.svs");
        using var slide = Slide.Open(path, SlideReadOptions.OpenSlideOnly);
        using var reader = JpegTileReader.TryOpen(path, slide.Vendor, slide.Levels, SlideReadOptions.Default, out _)!;
        var image = reader.ImageOf(0)!;
        var (tw, th) = (image.TileWidth, image.TileHeight);
        var jpeg = reader.TileStream(0, image.TilesAcross + 1)!;

        var whole = new byte[tw * th * 3];
        using (var turbo = new TurboJpegDecoder())
        {
            fixed (byte* w = whole) Assert.True(turbo.TryDecode(jpeg, tw, th, w, tw * 3), turbo.LastError());
        }

        using var decoder = new JpegPartDecoder();
        var random = new Random(11);
        (int X, int Y, int W, int H)[] parts =
        [
            (0, 0, tw, th), (0, 0, tw, 1), (0, th - 1, tw, 1), (0, 0, 1, th), (tw - 1, 0, 1, th), (5, 9, 7, 3),
            .. Enumerable.Range(0, 40).Select(_ =>
            {
                var (x, y) = (random.Next(tw), random.Next(th));
                return (x, y, random.Next(1, tw - x + 1), random.Next(1, th - y + 1));
            }),
        ];
        foreach (var (x, y, w, h) in parts)
        {
            var part = new byte[w * h * 3];
            fixed (byte* p = part) Assert.True(decoder.TryDecode(jpeg, tw, th, JpegColourSpace.Rgb, x, y, w, h, p, w * 3), decoder.LastError());
            for (var row = 0; row < h; row++)
                Assert.True(whole.AsSpan(((y + row) * tw + x) * 3, w * 3).SequenceEqual(part.AsSpan(row * w * 3, w * 3)), $"{w}x{h} at ({x}, {y}): row {row} differs");
        }

        var buffer = new byte[tw * th * 3];
        fixed (byte* b = buffer)
        {
            Assert.False(decoder.TryDecode(jpeg, tw, th, JpegColourSpace.YCbCr, 0, 0, 8, 8, b, 24));
            Assert.Contains("colour space", decoder.LastError());
            Assert.False(decoder.TryDecode(jpeg[..(jpeg.Length / 3)], tw, th, JpegColourSpace.Rgb, 0, 0, tw, th, b, tw * 3));
            Assert.False(decoder.TryDecode(jpeg[..40], tw, th, JpegColourSpace.Rgb, 0, 0, 8, 8, b, 24));
            Assert.NotEmpty(decoder.LastError());
            Assert.False(decoder.TryDecode(jpeg, tw, th, JpegColourSpace.Rgb, tw - 4, 0, 8, 8, b, 24));
            Assert.Contains("outside", decoder.LastError());
            // Still usable after each failure.
            Assert.True(decoder.TryDecode(jpeg, tw, th, JpegColourSpace.Rgb, 0, 0, tw, th, b, tw * 3), decoder.LastError());
        }
        Assert.Equal(whole, buffer);
    }
}
