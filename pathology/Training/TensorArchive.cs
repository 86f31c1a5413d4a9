using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>A tensor archive is damaged or is not one: the message names where it came from and what is wrong.</summary>
public sealed class TensorArchiveException(string origin, string reason)
    : Exception($"{origin}: {reason}")
{
    public string Origin { get; } = origin;
}

/// <summary>
/// A small binary format for named tensors and named numbers: how gradients travel from trainers to the coordinator and
/// weights from the coordinator to trainers. Layout (little-endian): the magic <c>OPTNSR01</c>; a count of scalars, each a
/// name and a float64; a count of tensors, each a name, an element type (1 float32, 2 int64), a rank, the dimensions as
/// int64 and the raw elements; then the CRC-32C of every byte before it. Names are int32 byte counts plus UTF-8.
/// Written field by field (no reflection, no pickling), so any reader can check a file's size and checksum before trusting it.
/// </summary>
public static class TensorArchive
{
    private static ReadOnlySpan<byte> Magic => "OPTNSR01"u8;

    private const byte Float32 = 1, Int64 = 2;

    /// <summary>Serialises <paramref name="tensors"/> (copied to the CPU) and <paramref name="scalars"/>.</summary>
    public static byte[] Encode(IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyList<(string Name, double Value)>? scalars = null)
    {
        scalars ??= [];
        var size = Magic.Length + 4L + 4 + 4;
        foreach (var (name, _) in scalars) size += 4 + Encoding.UTF8.GetByteCount(name) + 8;
        foreach (var (name, value) in tensors) size += 4 + Encoding.UTF8.GetByteCount(name) + 1 + 4 + 8L * value.shape.Length + value.numel() * value.ElementSize;
        if (size > Array.MaxLength) throw new ArgumentException($"{size} bytes of tensors do not fit one archive");
        var buffer = new byte[size];
        var at = 0;
        Magic.CopyTo(buffer);
        at += Magic.Length;
        WriteInt(buffer, ref at, scalars.Count);
        foreach (var (name, value) in scalars)
        {
            WriteName(buffer, ref at, name);
            BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(at), value);
            at += 8;
        }
        WriteInt(buffer, ref at, tensors.Count);
        foreach (var (name, value) in tensors)
        {
            var type = value.dtype switch
            {
                ScalarType.Float32 => Float32,
                ScalarType.Int64 => Int64,
                _ => throw new ArgumentException($"tensor '{name}' is {value.dtype}; archives hold float32 and int64"),
            };
            WriteName(buffer, ref at, name);
            buffer[at++] = type;
            WriteInt(buffer, ref at, value.shape.Length);
            foreach (var dimension in value.shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(at), dimension);
                at += 8;
            }
            using var cpu = value.detach().cpu().contiguous();
            var bytes = cpu.bytes;
            bytes.CopyTo(buffer.AsSpan(at));
            at += bytes.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(at), Crc32C.Compute(buffer.AsSpan(0, at)));
        return buffer;
    }

    /// <summary>
    /// Reads an archive made by <see cref="Encode"/>: the checksum first, then every field with its bounds checked.
    /// Tensors are created on the CPU and owned by the caller. <paramref name="origin"/> names the source in errors.
    /// </summary>
    public static (List<(string Name, Tensor Value)> Tensors, Dictionary<string, double> Scalars) Decode(ReadOnlySpan<byte> data, string origin)
    {
        if (data.Length < Magic.Length + 12 || !data[..Magic.Length].SequenceEqual(Magic))
            throw new TensorArchiveException(origin, $"not a tensor archive ({data.Length} bytes, no OPTNSR01 header)");
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(data[^4..]);
        var actual = Crc32C.Compute(data[..^4]);
        if (stored != actual) throw new TensorArchiveException(origin, $"checksum mismatch (stored {stored:x8}, computed {actual:x8}): the archive is damaged or truncated");

        var body = data[..^4];
        var at = Magic.Length;
        var scalars = new Dictionary<string, double>(StringComparer.Ordinal);
        var scalarCount = ReadCount(body, ref at, origin, "scalar count");
        for (var i = 0; i < scalarCount; i++)
        {
            var name = ReadName(body, ref at, origin);
            scalars[name] = BinaryPrimitives.ReadDoubleLittleEndian(Take(body, ref at, 8, origin, name));
        }
        var tensors = new List<(string, Tensor)>();
        try
        {
            var tensorCount = ReadCount(body, ref at, origin, "tensor count");
            for (var i = 0; i < tensorCount; i++)
            {
                var name = ReadName(body, ref at, origin);
                var type = Take(body, ref at, 1, origin, name)[0] switch
                {
                    Float32 => ScalarType.Float32,
                    Int64 => ScalarType.Int64,
                    var other => throw new TensorArchiveException(origin, $"tensor '{name}' has unknown element type {other}"),
                };
                var rank = ReadCount(body, ref at, origin, $"rank of '{name}'");
                var shape = new long[rank];
                long count = 1;
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = BinaryPrimitives.ReadInt64LittleEndian(Take(body, ref at, 8, origin, name));
                    if (shape[d] < 0 || shape[d] > int.MaxValue) throw new TensorArchiveException(origin, $"tensor '{name}' has dimension {shape[d]}");
                    count *= shape[d];
                }
                var length = count * (type == ScalarType.Float32 ? 4 : 8);
                if (length > body.Length - at) throw new TensorArchiveException(origin, $"tensor '{name}' needs {length} bytes, {body.Length - at} remain");
                var tensor = empty(shape, type);
                body.Slice(at, (int)length).CopyTo(tensor.bytes);
                at += (int)length;
                tensors.Add((name, tensor));
            }
            if (at != body.Length) throw new TensorArchiveException(origin, $"{body.Length - at} unexpected bytes after the last tensor");
        }
        catch
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw;
        }
        return (tensors, scalars);
    }

    /// <summary>Writes an archive to <paramref name="path"/> whole or not at all (a partial file, then a rename).</summary>
    public static long WriteFile(string path, IReadOnlyList<(string Name, Tensor Value)> tensors, IReadOnlyList<(string Name, double Value)>? scalars = null)
    {
        var bytes = Encode(tensors, scalars);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = $"{path}.{Environment.ProcessId}.partial";
        File.WriteAllBytes(partial, bytes);
        File.Move(partial, path, overwrite: true);
        return bytes.LongLength;
    }

    /// <summary>Reads an archive file; a missing file is a <see cref="FileNotFoundException"/> naming it.</summary>
    public static (List<(string Name, Tensor Value)> Tensors, Dictionary<string, double> Scalars) ReadFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: tensor archive not found", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    private static void WriteInt(byte[] buffer, ref int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(at), value);
        at += 4;
    }

    private static void WriteName(byte[] buffer, ref int at, string name)
    {
        var length = Encoding.UTF8.GetBytes(name, buffer.AsSpan(at + 4));
        WriteInt(buffer, ref at, length);
        at += length;
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> body, ref int at, int length, string origin, string what)
    {
        if (length < 0 || length > body.Length - at) throw new TensorArchiveException(origin, $"truncated at byte {at} reading {what}");
        var slice = body.Slice(at, length);
        at += length;
        return slice;
    }

    private static int ReadCount(ReadOnlySpan<byte> body, ref int at, string origin, string what)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(Take(body, ref at, 4, origin, what));
        if (count < 0) throw new TensorArchiveException(origin, $"negative {what} {count}");
        return count;
    }

    private static string ReadName(ReadOnlySpan<byte> body, ref int at, string origin)
    {
        var length = ReadCount(body, ref at, origin, "name length");
        return Encoding.UTF8.GetString(Take(body, ref at, length, origin, "a name"));
    }
}
