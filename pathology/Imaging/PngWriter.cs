using System.Buffers.Binary;
using System.IO.Compression;

namespace OrleansPathology.Imaging;

/// <summary>
/// Minimal PNG encoder (8-bit greyscale or RGB, no interlace, filter 0) over the BCL's zlib, so the
/// thumbnails, mask previews and plots need no imaging dependency. Spec: PNG (Third Edition), W3C.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    public static void WriteRgb(string path, RgbImage image) => Write(path, image.Width, image.Height, 3, image.Pixels);

    public static void WriteGray(string path, int width, int height, ReadOnlySpan<byte> pixels) => Write(path, width, height, 1, pixels);

    public static void Write(string path, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        using var file = File.Create(path);
        Write(file, width, height, channels, pixels);
    }

    public static void Write(Stream output, int width, int height, int channels, ReadOnlySpan<byte> pixels)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG output supports 1 or 3 channels");
        var stride = width * channels;
        if (pixels.Length < (long)stride * height) throw new ArgumentException("pixel buffer is smaller than the image", nameof(pixels));

        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = channels == 1 ? (byte)0 : (byte)2; // colour type: grey or truecolour
        WriteChunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter type None per scanline
                zlib.Write(pixels.Slice(y * stride, stride));
            }
        }
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", ReadOnlySpan<byte>.Empty);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        for (var i = 0; i < 4; i++) typeBytes[i] = (byte)type[i];
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc32.Append(Crc32.Append(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }
}
