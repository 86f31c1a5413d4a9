using System.Buffers.Binary;
using System.Text;

namespace OrleansPathology.Imaging;

/// <summary>
/// A one-byte-per-pixel mask of a slide at one pyramid level (tissue, tumour label, ground truth),
/// carrying the level and its downsample so a pixel maps back to level-0 coordinates.
/// Values: 0 is background; any other value is foreground (label masks may use 1, 2, ... for classes).
/// </summary>
public sealed class SlideMask
{
    // File layout, little-endian: magic, width, height, level, downsample, then Width*Height bytes row-major.
    private static readonly byte[] Magic = "OPMASK01"u8.ToArray();
    private const int HeaderSize = 8 + 4 + 4 + 4 + 8;

    public SlideMask(int width, int height, int level, double downsample, byte[]? data = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        if (!(downsample >= 1)) throw new ArgumentOutOfRangeException(nameof(downsample), downsample, "downsample must be at least 1");
        data ??= new byte[checked(width * height)];
        if (data.Length != (long)width * height)
            throw new ArgumentException($"{data.Length} bytes do not hold a {width}x{height} mask", nameof(data));
        Width = width;
        Height = height;
        Level = level;
        Downsample = downsample;
        Data = data;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pyramid level the mask is aligned to (a virtual level when resampled, e.g. 6 for downsample 64).</summary>
    public int Level { get; }

    /// <summary>Level-0 pixels per mask pixel.</summary>
    public double Downsample { get; }

    /// <summary>Row-major bytes, <see cref="Width"/> per row.</summary>
    public byte[] Data { get; }

    public byte this[int x, int y]
    {
        get => Data[y * Width + x];
        set => Data[y * Width + x] = value;
    }

    /// <summary>How many pixels are non-zero.</summary>
    public long CountForeground()
    {
        long count = 0;
        foreach (var b in Data) if (b != 0) count++;
        return count;
    }

    /// <summary>The share of non-zero pixels, 0 for an empty mask.</summary>
    public double ForegroundFraction => Data.Length == 0 ? 0 : (double)CountForeground() / Data.Length;

    public void Save(string path)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Width);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Height);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Level);
        BinaryPrimitives.WriteDoubleLittleEndian(header[20..], Downsample);
        file.Write(header);
        file.Write(Data);
    }

    /// <summary>
    /// Writes the mask as numpy's <c>.npy</c>: uint8, rows x columns (numpy's <c>mask[y, x]</c>), values as held. The
    /// level is not in the file: numpy's header allows no extra keys; <see cref="LoadFor"/> finds it from the slide's size.
    /// </summary>
    public void SaveNpy(string path) => NpyFile.WriteUInt8(path, Height, Width, Data);

    /// <summary>
    /// Loads a mask for a slide of the given level-0 size: <c>.npy</c> (bool or integer, any non-zero value is foreground,
    /// its level found from its size against the slide's) or this project's own format. An <c>.npy</c> holding the
    /// transposed (columns x rows) array, as NCRF's <c>tissue_mask.py</c> saves it (indexed <c>mask[x, y]</c>), is
    /// recognised by its shape and turned round.
    /// </summary>
    public static SlideMask LoadFor(string path, long slideWidth, long slideHeight)
    {
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return Load(path);
        var array = NpyFile.Read(path);
        bool Fits(int width, int height) =>
            width > 0 && height > 0 && Math.Abs((double)slideWidth / width / ((double)slideHeight / height) - 1) < 0.05;
        var transposed = !Fits(array.Columns, array.Rows) && Fits(array.Rows, array.Columns);
        if (!transposed && !Fits(array.Columns, array.Rows))
            throw new InvalidDataException($"{path}: a {array.Rows}x{array.Columns} array is no downsampled view of a {slideWidth}x{slideHeight} slide");
        var (width, height) = transposed ? (array.Rows, array.Columns) : (array.Columns, array.Rows);
        var data = new byte[checked(width * height)];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var value = transposed ? array.Values[x * array.Columns + y] : array.Values[y * width + x];
                data[y * width + x] = value == 0 ? (byte)0 : (byte)Math.Clamp(value, 1, 255);
            }
        }
        // A pyramid level's side is the slide's divided by 2^level, rounded either way: such a mask is at that level.
        var level = Enumerable.Range(0, 20).FirstOrDefault(l => IsSideAt(slideWidth, width, l) && IsSideAt(slideHeight, height, l), -1);
        var downsample = level >= 0 ? Math.Pow(2, level) : (double)slideWidth / width;
        if (level < 0) level = (int)Math.Round(Math.Log2(downsample));
        return new SlideMask(width, height, Math.Max(0, level), Math.Max(1, downsample), data);
    }

    private static bool IsSideAt(long slideSide, int maskSide, int level) =>
        maskSide == slideSide >> level || maskSide == (slideSide + (1L << level) - 1) >> level;

    /// <summary>Loads a mask written by <see cref="Save"/>; a wrong or truncated file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static SlideMask Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: mask file not found", path);
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[HeaderSize];
        if (file.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize || !header[..8].SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not an OrleansPathology mask file (expected header {Encoding.ASCII.GetString(Magic)})");
        var width = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var height = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        var level = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        var downsample = BinaryPrimitives.ReadDoubleLittleEndian(header[20..]);
        if (width < 0 || height < 0 || level < 0 || !(downsample >= 1) || file.Length - HeaderSize != (long)width * height)
            throw new InvalidDataException($"{path}: mask header says {width}x{height} at level {level} (downsample {downsample}) but the file holds {file.Length - HeaderSize} mask bytes");
        var data = new byte[width * height];
        file.ReadExactly(data);
        return new SlideMask(width, height, level, downsample, data);
    }
}
