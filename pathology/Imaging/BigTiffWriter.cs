using System.Buffers.Binary;
using System.Text;

namespace OrleansPathology.Imaging;

/// <summary>
/// Writes a tiled BigTIFF (JPEG YCbCr 4:2:0 slides, or uncompressed greyscale maps): tile data first, in whatever order the caller
/// appends it, then one IFD per pyramid level at the end, then the header is patched to point at them.
/// Always BigTIFF (64-bit offsets): a 100000x100000 slide passes 4 GiB, and libtiff 4 (hence OpenSlide)
/// reads BigTIFF as readily as classic TIFF, so one layout serves every size.
/// Spec: TIFF 6.0 (Adobe, 1992) sections 2, 15, 21, 22; BigTIFF (Aware Systems, 2004).
/// </summary>
public sealed class BigTiffWriter : IDisposable
{
    // TIFF field types.
    private const ushort Ascii = 2, Short = 3, Long = 4, Rational = 5, Long8 = 16;

    // Tags, TIFF 6.0 appendix A.
    private const ushort NewSubfileType = 254, ImageWidth = 256, ImageLength = 257, BitsPerSample = 258,
        Compression = 259, PhotometricInterpretation = 262, ImageDescription = 270, SamplesPerPixel = 277,
        XResolution = 282, YResolution = 283, PlanarConfiguration = 284, ResolutionUnit = 296, Software = 305,
        TileWidth = 322, TileLength = 323, TileOffsets = 324, TileByteCounts = 325, ExtraSamples = 338, YCbCrSubSampling = 530,
        ReferenceBlackWhite = 532;

    private const ushort CompressionNone = 1;
    private const ushort CompressionJpeg = 7;         // "new-style" JPEG, TIFF Technical Note 2
    private const ushort CompressionDeflate = 8;      // zlib streams (Adobe Deflate), as libtiff writes them
    private const ushort PhotometricRgb = 2;
    private const ushort ExtraSampleUnassociatedAlpha = 2;
    private const ushort PhotometricBlackIsZero = 1;
    private const ushort PhotometricYCbCr = 6;
    private const ushort ResolutionUnitCentimetre = 3;
    private const uint SubfileReducedImage = 1;
    private const int HeaderSize = 16;

    private readonly FileStream _file;
    private readonly string _path;
    private bool _finished;

    public BigTiffWriter(string path)
    {
        _path = path;
        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 20);
        Span<byte> header = stackalloc byte[HeaderSize];
        header[0] = (byte)'I';
        header[1] = (byte)'I';
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], 43);  // BigTIFF version
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 8);   // offset size
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], 0);   // first IFD: patched by Finish
        _file.Write(header);
    }

    /// <summary>Appends one tile's compressed stream and returns its file offset.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        if (_finished) throw new InvalidOperationException($"{_path}: tiles appended after the directories were written");
        var offset = _file.Position;
        _file.Write(data);
        return offset;
    }

    /// <summary>Writes the directories (level 0 first: readers take the first IFD as the main image) and closes the pyramid.</summary>
    public void Finish(IReadOnlyList<TiffDirectory> directories)
    {
        if (directories.Count == 0) throw new ArgumentException("a TIFF needs at least one directory", nameof(directories));
        if (_file.Position % 2 != 0) _file.WriteByte(0); // IFDs begin on a word boundary (TIFF 6.0 section 2)

        var first = _file.Position;
        for (var i = 0; i < directories.Count; i++)
        {
            var isLast = i == directories.Count - 1;
            WriteDirectory(directories[i], isLast);
        }

        Span<byte> pointer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(pointer, (ulong)first);
        _file.Position = 8;
        _file.Write(pointer);
        _file.Flush();
        _finished = true;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Writes one IFD at the current position, its out-of-line values right after it, and leaves the position past them.</summary>
    private void WriteDirectory(TiffDirectory d, bool isLast)
    {
        var jpeg = d.Encoding == TileEncoding.JpegYCbCr;
        var rgba = d.Encoding == TileEncoding.RgbaDeflate;
        var entries = new List<(ushort Tag, ushort Type, long Count, byte[] Value)>
        {
            (NewSubfileType, Long, 1, U32(d.IsReducedResolution ? SubfileReducedImage : 0)),
            (ImageWidth, Long, 1, U32(checked((uint)d.Width))),
            (ImageLength, Long, 1, U32(checked((uint)d.Height))),
            jpeg ? (BitsPerSample, Short, 3, U16(8, 8, 8)) : rgba ? (BitsPerSample, Short, 4, U16(8, 8, 8, 8)) : (BitsPerSample, Short, 1, U16(8)),
            (Compression, Short, 1, U16(jpeg ? CompressionJpeg : rgba ? CompressionDeflate : CompressionNone)),
            (PhotometricInterpretation, Short, 1, U16(jpeg ? PhotometricYCbCr : rgba ? PhotometricRgb : PhotometricBlackIsZero)),
        };
        if (d.Description is not null) entries.Add((ImageDescription, Ascii, Encoding.ASCII.GetByteCount(d.Description) + 1, AsciiZ(d.Description)));
        entries.Add((SamplesPerPixel, Short, 1, U16(jpeg ? (ushort)3 : rgba ? (ushort)4 : (ushort)1)));
        entries.Add((XResolution, Rational, 1, RationalOf(d.PixelsPerCentimetre)));
        entries.Add((YResolution, Rational, 1, RationalOf(d.PixelsPerCentimetre)));
        entries.Add((PlanarConfiguration, Short, 1, U16(1)));
        entries.Add((ResolutionUnit, Short, 1, U16(ResolutionUnitCentimetre)));
        entries.Add((Software, Ascii, SoftwareName.Length + 1, AsciiZ(SoftwareName)));
        entries.Add((TileWidth, Long, 1, U32((uint)d.TileSize)));
        entries.Add((TileLength, Long, 1, U32((uint)d.TileSize)));
        entries.Add((TileOffsets, Long8, d.TileOffsets.Length, U64(d.TileOffsets)));
        entries.Add((TileByteCounts, Long8, d.TileByteCounts.Length, U64(d.TileByteCounts)));
        if (rgba) entries.Add((ExtraSamples, Short, 1, U16(ExtraSampleUnassociatedAlpha)));
        if (jpeg)
        {
            // 2,2 matches TJSAMP_420's luma sampling factors; libtiff warns and may misdecode when they disagree.
            entries.Add((YCbCrSubSampling, Short, 2, U16(2, 2)));
            // The JFIF full-range coding libjpeg writes (ITU-T T.871): Y, Cb, Cr all span 0..255, chroma centred on 128.
            entries.Add((ReferenceBlackWhite, Rational, 6, Rationals([0, 1, 255, 1, 128, 1, 255, 1, 128, 1, 255, 1])));
        }

        var start = _file.Position;
        var ifdSize = 8 + entries.Count * 20 + 8;
        var overflow = start + ifdSize;
        using var block = new MemoryStream();
        using var values = new MemoryStream();
        Span<byte> word = stackalloc byte[8];
        Span<byte> entry = stackalloc byte[20];

        BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)entries.Count);
        block.Write(word);
        foreach (var (tag, type, count, value) in entries)
        {
            entry.Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(entry, tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], type);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[4..], (ulong)count);
            if (value.Length <= 8)
            {
                value.CopyTo(entry[12..]); // fits in the entry, left-justified
            }
            else
            {
                BinaryPrimitives.WriteUInt64LittleEndian(entry[12..], (ulong)(overflow + values.Length));
                values.Write(value);
                if (values.Length % 2 != 0) values.WriteByte(0);
            }
            block.Write(entry);
        }
        var next = isLast ? 0UL : (ulong)(overflow + values.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(word, next);
        block.Write(word);

        block.WriteTo(_file);
        values.WriteTo(_file);
    }

    private const string SoftwareName = "OrleansPathology";

    private static byte[] U16(params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        return bytes;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] U64(long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), (ulong)values[i]);
        return bytes;
    }

    private static byte[] Rationals(uint[] numeratorsAndDenominators)
    {
        var bytes = new byte[numeratorsAndDenominators.Length * 4];
        for (var i = 0; i < numeratorsAndDenominators.Length; i++)
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), numeratorsAndDenominators[i]);
        return bytes;
    }

    /// <summary>A positive value as a RATIONAL with denominator 1000: 41152.263 px/cm keeps 0.243 um/px to 9 digits.</summary>
    private static byte[] RationalOf(double value)
    {
        const uint denominator = 1000;
        return Rationals([checked((uint)Math.Round(value * denominator)), denominator]);
    }

    private static byte[] AsciiZ(string text)
    {
        var bytes = new byte[Encoding.ASCII.GetByteCount(text) + 1];
        Encoding.ASCII.GetBytes(text, bytes);
        return bytes;
    }
}
