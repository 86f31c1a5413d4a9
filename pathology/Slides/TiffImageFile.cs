using System.Buffers.Binary;

namespace OrleansPathology.Slides;

/// <summary>
/// One image file directory of a TIFF, as far as tile reading needs it. Tiles are indexed row-major
/// (TIFF 6.0 section 15). Values a directory does not give keep TIFF's defaults.
/// </summary>
internal sealed record TiffImage(
    int Index,
    long Width,
    long Height,
    int TileWidth,
    int TileHeight,
    int Compression,
    int Photometric,
    int SamplesPerPixel,
    int BitsPerSample,
    int PlanarConfiguration,
    long[] TileOffsets,
    long[] TileByteCounts,
    byte[]? JpegTables)
{
    /// <summary>TIFF Compression 7: JPEG ("new-style", TIFF Technical Note 2).</summary>
    public const int CompressionJpeg = 7;

    /// <summary>PhotometricInterpretation 2 (RGB) and 6 (YCbCr).</summary>
    public const int PhotometricRgb = 2, PhotometricYCbCr = 6;

    public bool IsTiled => TileWidth > 0 && TileHeight > 0 && TileOffsets.Length > 0;

    public int TilesAcross => TileWidth == 0 ? 0 : (int)((Width + TileWidth - 1) / TileWidth);

    public int TilesDown => TileHeight == 0 ? 0 : (int)((Height + TileHeight - 1) / TileHeight);
}

/// <summary>
/// Reads every image file directory of a classic TIFF or BigTIFF file, either byte order.
/// Spec: TIFF 6.0 sections 2 and 15, TIFF Technical Note 2 (JPEGTables), BigTIFF (Aware Systems, 2004).
/// </summary>
internal static class TiffImageFile
{
    private const ushort ImageWidth = 256, ImageLength = 257, BitsPerSampleTag = 258, CompressionTag = 259,
        PhotometricTag = 262, SamplesPerPixelTag = 277, PlanarConfigurationTag = 284, TileWidthTag = 322,
        TileLengthTag = 323, TileOffsetsTag = 324, TileByteCountsTag = 325, JpegTablesTag = 347;

    /// <summary>More directories than any pyramid has: a loop in a corrupt file's chain ends here.</summary>
    private const int MaxDirectories = 1024;

    /// <summary>The file's directories in file order, or an error naming what is wrong.</summary>
    public static IReadOnlyList<TiffImage> Read(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        if (file.Read(header) < 8) throw new InvalidDataException($"{path}: too short for a TIFF header");
        var little = header[0] == 'I' && header[1] == 'I';
        if (!little && !(header[0] == 'M' && header[1] == 'M')) throw new InvalidDataException($"{path}: not a TIFF (no II/MM byte order mark)");
        var reader = new Reader(file, little, path);
        var big = reader.U16(header[2..]) switch
        {
            42 => false,
            43 => true,
            var v => throw new InvalidDataException($"{path}: TIFF version {v} is neither 42 (TIFF) nor 43 (BigTIFF)"),
        };
        var next = big ? (long)reader.U64(header[8..]) : reader.U32(header[4..]);
        var images = new List<TiffImage>();
        var seen = new HashSet<long>();
        while (next != 0 && images.Count < MaxDirectories && seen.Add(next))
        {
            var (image, following) = ReadDirectory(reader, next, big, images.Count);
            images.Add(image);
            next = following;
        }
        return images;
    }

    private static (TiffImage Image, long Next) ReadDirectory(Reader reader, long offset, bool big, int index)
    {
        var entrySize = big ? 20 : 12;
        var countSize = big ? 8 : 2;
        var countBytes = reader.ReadAt(offset, countSize);
        var entries = big ? (long)reader.U64(countBytes) : reader.U16(countBytes);
        if (entries is < 0 or > 4096) throw new InvalidDataException($"{reader.Path}: directory {index} claims {entries} entries");
        var table = reader.ReadAt(offset + countSize, checked((int)(entries * entrySize) + (big ? 8 : 4)));

        long width = 0, height = 0;
        int tileWidth = 0, tileHeight = 0, compression = 1, photometric = -1, samples = 1, bits = 1, planar = 1;
        long[] offsets = [], byteCounts = [];
        byte[]? jpegTables = null;
        for (var i = 0; i < entries; i++)
        {
            var e = table.AsSpan(i * entrySize, entrySize);
            var tag = reader.U16(e);
            var type = reader.U16(e[2..]);
            var count = big ? (long)reader.U64(e[4..]) : reader.U32(e[4..]);
            var inline = e[(big ? 12 : 8)..];
            switch (tag)
            {
                case ImageWidth: width = First(reader, type, count, inline, big); break;
                case ImageLength: height = First(reader, type, count, inline, big); break;
                case BitsPerSampleTag: bits = (int)First(reader, type, count, inline, big); break;
                case CompressionTag: compression = (int)First(reader, type, count, inline, big); break;
                case PhotometricTag: photometric = (int)First(reader, type, count, inline, big); break;
                case SamplesPerPixelTag: samples = (int)First(reader, type, count, inline, big); break;
                case PlanarConfigurationTag: planar = (int)First(reader, type, count, inline, big); break;
                case TileWidthTag: tileWidth = (int)First(reader, type, count, inline, big); break;
                case TileLengthTag: tileHeight = (int)First(reader, type, count, inline, big); break;
                case TileOffsetsTag: offsets = reader.Values(type, count, inline, big); break;
                case TileByteCountsTag: byteCounts = reader.Values(type, count, inline, big); break;
                case JpegTablesTag: jpegTables = reader.Bytes(count, inline, big); break;
            }
        }
        var tail = table.AsSpan(checked((int)(entries * entrySize)));
        var next = big ? (long)reader.U64(tail) : reader.U32(tail);
        var image = new TiffImage(index, width, height, tileWidth, tileHeight, compression, photometric, samples, bits, planar,
            offsets, byteCounts, jpegTables);
        if (image.IsTiled && (offsets.Length != byteCounts.Length || offsets.Length < (long)image.TilesAcross * image.TilesDown))
            throw new InvalidDataException($"{reader.Path}: directory {index} has {offsets.Length} tile offsets and {byteCounts.Length} byte counts for {image.TilesAcross}x{image.TilesDown} tiles");
        return (image, next);
    }

    private static long First(Reader reader, ushort type, long count, ReadOnlySpan<byte> inline, bool big) =>
        count < 1 ? 0 : reader.Values(type, count, inline, big)[0];

    private sealed class Reader(FileStream file, bool little, string path)
    {
        public string Path => path;

        public ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        public uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        public ulong U64(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);

        public byte[] ReadAt(long offset, int length)
        {
            if (offset < 0 || offset + length > file.Length)
                throw new InvalidDataException($"{path}: {length} bytes at {offset} lie outside the file ({file.Length} bytes)");
            var bytes = new byte[length];
            file.Position = offset;
            file.ReadExactly(bytes);
            return bytes;
        }

        /// <summary>An entry's values as integers: BYTE, SHORT, LONG, LONG8 or IFD8, inline when they fit.</summary>
        public long[] Values(ushort type, long count, ReadOnlySpan<byte> inline, bool big)
        {
            var size = type switch
            {
                1 or 7 => 1,
                3 => 2,
                4 or 13 => 4,
                16 or 18 => 8,
                _ => throw new InvalidDataException($"{path}: TIFF field type {type} where an integer was expected"),
            };
            if (count < 0 || count > file.Length) throw new InvalidDataException($"{path}: a field claims {count} values");
            var total = checked((int)(count * size));
            var bytes = total <= inline.Length ? inline[..total].ToArray() : ReadAt(Offset(inline, big), total);
            var values = new long[count];
            for (var i = 0; i < count; i++)
            {
                var b = bytes.AsSpan(i * size);
                values[i] = size switch { 1 => b[0], 2 => U16(b), 4 => U32(b), _ => (long)U64(b) };
            }
            return values;
        }

        /// <summary>An UNDEFINED or BYTE entry's bytes (JPEGTables).</summary>
        public byte[] Bytes(long count, ReadOnlySpan<byte> inline, bool big) =>
            count <= inline.Length ? inline[..(int)count].ToArray() : ReadAt(Offset(inline, big), checked((int)count));

        private long Offset(ReadOnlySpan<byte> inline, bool big) => big ? (long)U64(inline) : U32(inline);
    }
}
