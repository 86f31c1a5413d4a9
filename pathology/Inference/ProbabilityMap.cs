using System.Buffers.Binary;
using System.Runtime.InteropServices;
using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>
/// Tumour probability per map cell (1/stride of level 0), float32. Cells never computed (glass, or
/// not yet done) hold NaN, so "0.0: computed, no tumour" and "not computed" stay distinct.
/// </summary>
public sealed class ProbabilityMap
{
    // File layout, little-endian: magic, width, height, stride, then Width*Height float32 row-major.
    private static readonly byte[] Magic = "OPPMAP01"u8.ToArray();
    private const int HeaderSize = 8 + 4 + 4 + 4;

    public ProbabilityMap(int width, int height, int stride, float[]? values = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (values is null)
        {
            values = new float[checked(width * height)];
            Array.Fill(values, float.NaN);
        }
        if (values.Length != (long)width * height) throw new ArgumentException($"{values.Length} values do not fill {width}x{height}", nameof(values));
        Width = width;
        Height = height;
        Stride = stride;
        Values = values;
    }

    public static ProbabilityMap For(CellGrid grid) => new(grid.Width, grid.Height, grid.Stride);

    public int Width { get; }
    public int Height { get; }

    /// <summary>Level-0 pixels per cell.</summary>
    public int Stride { get; }

    /// <summary>Row-major probabilities; NaN where not computed.</summary>
    public float[] Values { get; }

    public float this[int x, int y]
    {
        get => Values[y * Width + x];
        set => Values[y * Width + x] = value;
    }

    public bool IsComputed(int x, int y) => !float.IsNaN(this[x, y]);

    public int ComputedCount()
    {
        var n = 0;
        foreach (var v in Values) if (!float.IsNaN(v)) n++;
        return n;
    }

    /// <summary>Writes a batch's probabilities into their cells.</summary>
    public void Apply(BatchResult result)
    {
        for (var i = 0; i < result.Cells.Count; i++) this[result.Cells[i].X, result.Cells[i].Y] = result.Probabilities[i];
    }

    public void Save(string path)
    {
        var temporary = path + ".partial";
        using (var file = File.Create(temporary))
        {
            Span<byte> header = stackalloc byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], Width);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], Height);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], Stride);
            file.Write(header);
            file.Write(MemoryMarshal.AsBytes(Values.AsSpan()));
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Writes the map as numpy's <c>.npy</c>, float32 rows x columns (<c>map[y, x]</c>), with 0 where nothing was
    /// computed: MONAI's ProbMapProducer starts from zeros and its NMS and NCRF's expect no NaN (a NaN maximum stops
    /// MONAI's ProbNMS at once). The stride is not in the file; the bundle's maps are level 6, stride 64.
    /// </summary>
    public void SaveNpy(string path)
    {
        var values = Values.Select(v => float.IsNaN(v) ? 0f : v).ToArray();
        NpyFile.WriteFloat32(path, Height, Width, values);
    }

    /// <summary>Reads a rows x columns <c>.npy</c> map (any numeric dtype) whose cells span <paramref name="stride"/> level-0 pixels.</summary>
    public static ProbabilityMap LoadNpy(string path, int stride = 64)
    {
        var array = NpyFile.Read(path);
        return new ProbabilityMap(array.Columns, array.Rows, stride, array.Values.Select(v => (float)v).ToArray());
    }

    /// <summary>Loads a map by its extension: <c>.npy</c> (at <paramref name="npyStride"/>) or this project's <c>.probmap</c>.</summary>
    public static ProbabilityMap LoadAny(string path, int npyStride = 64) =>
        path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? LoadNpy(path, npyStride) : Load(path);

    public static ProbabilityMap Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: probability map not found", path);
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not an OrleansPathology probability map");
        var width = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        var stride = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        if (width < 0 || height < 0 || stride < 1 || file.Length - HeaderSize != 4L * width * height)
            throw new InvalidDataException($"{path}: header says {width}x{height} (stride {stride}) but the file holds {file.Length - HeaderSize} bytes of values");
        var values = new float[width * height];
        file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return new ProbabilityMap(width, height, stride, values);
    }
}
