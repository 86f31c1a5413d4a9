using System.Buffers.Binary;

namespace OrleansPathology.Bench;

/// <summary>
/// The tile index of a TIFF's first image file directory (level 0 of a pyramid), read straight from the file
/// so that JPEG tiles can be decoded without OpenSlide. Classic TIFF and BigTIFF, either byte order.
/// Spec: TIFF 6.0 sections 2 and 15 (tiles), TIFF Technical Note 2 (JPEGTables), BigTIFF (Aware Systems, 2004).
/// </summary>
internal sealed record TiffTiles(long Width, long Height, int TileWidth, int TileHeight, int Compression,
    long[] Offsets, long[] ByteCounts, byte[]? JpegTables)
{
    private const ushort ImageWidth = 256, ImageLength = 257, CompressionTag = 259, TileWidthTag = 322,
        TileLengthTag = 323, TileOffsets = 324, TileByteCounts = 325, JpegTablesTag = 347;

    /// <summary>TIFF Compression 7: JPEG ("new-style", Technical Note 2).</summary>
    public const int CompressionJpeg = 7;

    public int TilesAcross => (int)((Width + TileWidth - 1) / TileWidth);
    public int TilesDown => (int)((Height + TileHeight - 1) / TileHeight);

    public static TiffTiles ReadFirstDirectory(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        file.ReadExactly(header);
        var little = header[0] == 'I' && header[1] == 'I';
        if (!little && !(header[0] == 'M' && header[1] == 'M')) throw new InvalidDataException($"{path}: not a TIFF (no II/MM byte order mark)");
        var reader = new Reader(file, little);
        var version = reader.U16(header[2..]);
        var big = version switch
        {
            42 => false,
            43 => true,
            _ => throw new InvalidDataException($"{path}: TIFF version {version} is neither 42 (TIFF) nor 43 (BigTIFF)"),
        };
        var ifd = big ? (long)reader.U64(header[8..]) : reader.U32(header[4..]);

        var entrySize = big ? 20 : 12;
        var countSize = big ? 8 : 2;
        var countBytes = reader.ReadAt(ifd, countSize);
        var entries = big ? (long)reader.U64(countBytes) : reader.U16(countBytes);
        var table = reader.ReadAt(ifd + countSize, checked((int)(entries * entrySize)));

        long width = 0, height = 0;
        int tileWidth = 0, tileHeight = 0, compression = 1;
        long[]? offsets = null, byteCounts = null;
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
                case ImageWidth: width = reader.Values(type, count, inline, big)[0]; break;
                case ImageLength: height = reader.Values(type, count, inline, big)[0]; break;
                case CompressionTag: compression = (int)reader.Values(type, count, inline, big)[0]; break;
                case TileWidthTag: tileWidth = (int)reader.Values(type, count, inline, big)[0]; break;
                case TileLengthTag: tileHeight = (int)reader.Values(type, count, inline, big)[0]; break;
                case TileOffsets: offsets = reader.Values(type, count, inline, big); break;
                case TileByteCounts: byteCounts = reader.Values(type, count, inline, big); break;
                case JpegTablesTag: jpegTables = reader.Bytes(count, inline, big); break;
            }
        }
        if (tileWidth == 0 || tileHeight == 0 || offsets is null || byteCounts is null)
            throw new InvalidDataException($"{path}: the first directory is not tiled (no TileWidth/TileLength/TileOffsets/TileByteCounts)");
        var tiles = new TiffTiles(width, height, tileWidth, tileHeight, compression, offsets, byteCounts, jpegTables);
        if (offsets.Length != byteCounts.Length || offsets.Length < (long)tiles.TilesAcross * tiles.TilesDown)
            throw new InvalidDataException($"{path}: {offsets.Length} tile offsets and {byteCounts.Length} byte counts for {tiles.TilesAcross}x{tiles.TilesDown} tiles");
        return tiles;
    }

    /// <summary>
    /// A tile's self-contained JPEG stream: the tile as stored, or, where the directory shares its tables
    /// (JPEGTables), the tables without their EOI followed by the tile without its SOI.
    /// </summary>
    public byte[] ReadJpeg(SafeFileHandleReader file, int tile)
    {
        var data = new byte[ByteCounts[tile]];
        file.ReadExactly(data, Offsets[tile]);
        if (JpegTables is null || JpegTables.Length < 4) return data;
        var joined = new byte[JpegTables.Length - 2 + data.Length - 2];
        JpegTables.AsSpan(0, JpegTables.Length - 2).CopyTo(joined);
        data.AsSpan(2).CopyTo(joined.AsSpan(JpegTables.Length - 2));
        return joined;
    }

    private sealed class Reader(FileStream file, bool little)
    {
        public ushort U16(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt16LittleEndian(b) : BinaryPrimitives.ReadUInt16BigEndian(b);
        public uint U32(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
        public ulong U64(ReadOnlySpan<byte> b) => little ? BinaryPrimitives.ReadUInt64LittleEndian(b) : BinaryPrimitives.ReadUInt64BigEndian(b);

        public byte[] ReadAt(long offset, int length)
        {
            var bytes = new byte[length];
            file.Position = offset;
            file.ReadExactly(bytes);
            return bytes;
        }

        /// <summary>An entry's values as integers: SHORT (3), LONG (4) or LONG8 (16), inline when they fit.</summary>
        public long[] Values(ushort type, long count, ReadOnlySpan<byte> inline, bool big)
        {
            var size = type switch
            {
                3 => 2,
                4 => 4,
                16 => 8,
                _ => throw new InvalidDataException($"TIFF field type {type} where SHORT, LONG or LONG8 was expected"),
            };
            var total = checked((int)(count * size));
            var bytes = total <= inline.Length ? inline[..total].ToArray() : ReadAt(Offset(inline, big), total);
            var values = new long[count];
            for (var i = 0; i < count; i++)
            {
                var b = bytes.AsSpan(i * size);
                values[i] = size switch { 2 => U16(b), 4 => U32(b), _ => (long)U64(b) };
            }
            return values;
        }

        /// <summary>An UNDEFINED or BYTE entry's bytes (JPEGTables).</summary>
        public byte[] Bytes(long count, ReadOnlySpan<byte> inline, bool big) =>
            count <= inline.Length ? inline[..(int)count].ToArray() : ReadAt(Offset(inline, big), checked((int)count));

        private long Offset(ReadOnlySpan<byte> inline, bool big) => big ? (long)U64(inline) : U32(inline);
    }
}

/// <summary>Positional reads of a file, safe from many threads at once (pread), as OpenSlide reads tiles.</summary>
internal sealed class SafeFileHandleReader(string path) : IDisposable
{
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);

    public void ReadExactly(Span<byte> buffer, long offset)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var n = RandomAccess.Read(_handle, buffer[done..], offset + done);
            if (n == 0) throw new EndOfStreamException($"{path}: ends before byte {offset + buffer.Length}");
            done += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
