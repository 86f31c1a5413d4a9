using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansPathology.Imaging;

/// <summary>
/// Reads 8-bit, non-interlaced PNGs (grey, grey+alpha, RGB, RGBA), as patch datasets keep their images, into an
/// <see cref="RgbImage"/>. Alpha is composited over white, as <c>Slide.ReadRegion</c> shows transparent pixels.
/// Anything else (16-bit, palette, interlaced) is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public static class PngReader
{
    /// <summary>The width and height from the IHDR chunk, without decoding the pixels.</summary>
    public static (int Width, int Height) Size(string path)
    {
        Span<byte> header = stackalloc byte[24];
        using (var file = File.OpenRead(path))
        {
            if (file.ReadAtLeast(header, 24, throwOnEndOfStream: false) < 24 || !header[..8].SequenceEqual(Signature))
                throw new InvalidDataException($"{path}: not a PNG file");
        }
        return (BinaryPrimitives.ReadInt32BigEndian(header[16..]), BinaryPrimitives.ReadInt32BigEndian(header[20..]));
    }

    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes a PNG; a damaged or unsupported one is an <see cref="InvalidDataException"/> naming the file.</summary>
    public static RgbImage Read(string path)
    {
        try
        {
            return Decode(path);
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: damaged PNG ({ex.Message})", ex);
        }
    }

    /// <summary>Decodes PNG bytes held in memory (a rendered figure, say).</summary>
    public static RgbImage Decode(byte[] png) => Decode(png, "PNG in memory");

    private static RgbImage Decode(string path) => Decode(File.ReadAllBytes(path), path);

    private static RgbImage Decode(byte[] bytes, string path)
    {
        if (bytes.Length < 8 || !bytes.AsSpan(0, 8).SequenceEqual(Signature)) throw new InvalidDataException($"{path}: not a PNG file");
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (var at = 8; at + 8 <= bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException($"{path}: only 8-bit non-interlaced PNGs are read (bit depth {data[8]}, interlace {data[12]})");
                channels = data[9] switch
                {
                    0 => 1,
                    2 => 3,
                    4 => 2,
                    6 => 4,
                    _ => throw new InvalidDataException($"{path}: PNG colour type {data[9]} (palette) is not read; save the patch as RGB"),
                };
            }
            else if (type == "IDAT") idat.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }

        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        idat.Position = 0;
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress)) zlib.ReadExactly(raw);

        var previous = new byte[stride];
        var line = new byte[stride];
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            Array.Copy(raw, y * (stride + 1) + 1, line, 0, stride);
            Unfilter(filter, line, previous, channels, path);
            for (var x = 0; x < width; x++) image[x, y] = ToRgb(line.AsSpan(x * channels, channels));
            (previous, line) = (line, previous);
        }
        return image;
    }

    private static void Unfilter(byte filter, byte[] line, byte[] previous, int bpp, string path)
    {
        for (var i = 0; i < line.Length; i++)
        {
            int a = i >= bpp ? line[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            var predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => Paeth(a, b, c),
                _ => throw new InvalidDataException($"{path}: PNG filter {filter} does not exist"),
            };
            line[i] = (byte)(line[i] + predictor);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static (byte R, byte G, byte B) ToRgb(ReadOnlySpan<byte> px) => px.Length switch
    {
        1 => (px[0], px[0], px[0]),
        2 => (OverWhite(px[0], px[1]), OverWhite(px[0], px[1]), OverWhite(px[0], px[1])),
        3 => (px[0], px[1], px[2]),
        _ => (OverWhite(px[0], px[3]), OverWhite(px[1], px[3]), OverWhite(px[2], px[3])),
    };

    /// <summary>A colour value under <paramref name="alpha"/> composited over white, rounded.</summary>
    internal static byte OverWhite(byte value, byte alpha) => (byte)((value * alpha + 255 * (255 - alpha) + 127) / 255);
}
