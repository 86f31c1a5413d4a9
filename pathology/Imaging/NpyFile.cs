using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansPathology.Imaging;

/// <summary>A two-dimensional array read from a <c>.npy</c> file, as row-major values.</summary>
public sealed record NpyArray(int Rows, int Columns, string Dtype, double[] Values);

/// <summary>
/// Reads and writes numpy's <c>.npy</c> format (version 1.0), the file MONAI's ProbMapProducer, NCRF and numpy use for
/// probability maps and tissue masks: the magic <c>\x93NUMPY</c>, a Python-literal header dict (<c>descr</c>,
/// <c>fortran_order</c>, <c>shape</c>) padded to a multiple of 64 bytes, then the raw values.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a rows x columns float32 array (<c>&lt;f4</c>), row-major.</summary>
    public static void WriteFloat32(string path, int rows, int columns, ReadOnlySpan<float> values)
    {
        if (values.Length != (long)rows * columns) throw new ArgumentException($"{values.Length} values do not fill {rows}x{columns}", nameof(values));
        WriteRaw(path, "<f4", [rows, columns], MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a float32 array of any shape (<c>&lt;f4</c>), C order: a batch of NCHW network inputs, say.</summary>
    public static void WriteFloat32(string path, IReadOnlyList<long> shape, ReadOnlySpan<float> values)
    {
        if (values.Length != shape.Aggregate(1L, (a, b) => a * b)) throw new ArgumentException($"{values.Length} values do not fill shape ({string.Join(", ", shape)})", nameof(values));
        WriteRaw(path, "<f4", shape, MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a rows x columns uint8 array (<c>|u1</c>), row-major.</summary>
    public static void WriteUInt8(string path, int rows, int columns, ReadOnlySpan<byte> values)
    {
        if (values.Length != (long)rows * columns) throw new ArgumentException($"{values.Length} values do not fill {rows}x{columns}", nameof(values));
        WriteRaw(path, "|u1", [rows, columns], values);
    }

    private static void WriteRaw(string path, string dtype, IReadOnlyList<long> shape, ReadOnlySpan<byte> data)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("npy writing assumes a little-endian machine");
        // A one-element tuple needs its trailing comma in Python: (5,).
        var dims = shape.Count == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic (6) + version (2) + header length (2) + dict + newline, padded with spaces to a multiple of 64.
        var unpadded = 10 + dict.Length + 1;
        var header = dict + new string(' ', (64 - unpadded % 64) % 64) + "\n";
        var temporary = path + ".partial";
        using (var file = File.Create(temporary))
        {
            file.Write(Magic);
            file.Write([1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            file.Write(length);
            file.Write(Encoding.ASCII.GetBytes(header));
            file.Write(data);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Reads a two-dimensional array of bool, uint8, int32/64, float32 or float64 in either byte order; a Fortran-order
    /// file is returned row-major all the same. Anything else is an <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static NpyArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: npy file not found", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a numpy .npy file (no \\x93NUMPY magic)");
        var major = bytes[6];
        int headerLength, headerStart;
        if (major == 1) (headerLength, headerStart) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), 10);
        else if (major is 2 or 3 && bytes.Length >= 12) (headerLength, headerStart) = ((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)), 12);
        else throw new InvalidDataException($"{path}: npy version {major}.{bytes[7]} is not supported");
        if (headerStart + headerLength > bytes.Length) throw new InvalidDataException($"{path}: npy header runs past the end of the file");
        var header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);

        var descr = DescrPattern().Match(header) is { Success: true } d ? d.Groups[1].Value
            : throw new InvalidDataException($"{path}: npy header has no 'descr': {header.Trim()}");
        var fortran = FortranPattern().Match(header) is { Success: true } f ? f.Groups[1].Value == "True"
            : throw new InvalidDataException($"{path}: npy header has no 'fortran_order': {header.Trim()}");
        var shapeText = ShapePattern().Match(header) is { Success: true } s ? s.Groups[1].Value
            : throw new InvalidDataException($"{path}: npy header has no 'shape': {header.Trim()}");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (shape.Length != 2) throw new InvalidDataException($"{path}: npy array has shape ({shapeText}); a map or mask needs two dimensions (rows, columns)");
        if (shape[0] * shape[1] > int.MaxValue) throw new InvalidDataException($"{path}: npy array of {shape[0]}x{shape[1]} is too large");
        var (rows, columns) = ((int)shape[0], (int)shape[1]);

        var count = rows * columns;
        var size = ElementSize(path, descr);
        var dataStart = headerStart + headerLength;
        if (bytes.Length - dataStart < (long)count * size)
            throw new InvalidDataException($"{path}: npy header says {rows}x{columns} of {descr} but the file holds {bytes.Length - dataStart} data bytes");
        var values = new double[count];
        var data = bytes.AsSpan(dataStart);
        for (var i = 0; i < count; i++)
        {
            // Fortran order stores columns one after another: element (r, c) at c * rows + r.
            var target = fortran ? (i % rows) * columns + i / rows : i;
            values[target] = Element(descr, data.Slice(i * size, size));
        }
        return new NpyArray(rows, columns, descr, values);
    }

    private static int ElementSize(string path, string descr) => descr switch
    {
        "|b1" or "|u1" or "<u1" or ">u1" or "|i1" => 1,
        "<i4" or ">i4" or "<f4" or ">f4" => 4,
        "<i8" or ">i8" or "<f8" or ">f8" => 8,
        _ => throw new InvalidDataException($"{path}: npy dtype '{descr}' is not supported (bool, uint8, int32, int64, float32, float64)"),
    };

    private static double Element(string descr, ReadOnlySpan<byte> b) => descr switch
    {
        "|b1" or "|u1" or "<u1" or ">u1" => b[0],
        "|i1" => (sbyte)b[0],
        "<i4" => BinaryPrimitives.ReadInt32LittleEndian(b),
        ">i4" => BinaryPrimitives.ReadInt32BigEndian(b),
        "<i8" => BinaryPrimitives.ReadInt64LittleEndian(b),
        ">i8" => BinaryPrimitives.ReadInt64BigEndian(b),
        "<f4" => BinaryPrimitives.ReadSingleLittleEndian(b),
        ">f4" => BinaryPrimitives.ReadSingleBigEndian(b),
        "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(b),
        _ => BinaryPrimitives.ReadDoubleBigEndian(b),
    };

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
