namespace OrleansPathology.Synthesis;

/// <summary>
/// Precomputed, wrap-around textures that the renderer samples with masks and adds instead of computing noise
/// per pixel: this is what keeps a pixel to a handful of integer operations. Built once per process from a fixed
/// seed; each slide reads them at its own offsets, so slides differ while the tables stay shared.
/// </summary>
internal sealed class NoiseTables
{
    /// <summary>Edge of the grain table; a power of two so that wrapping is a mask.</summary>
    public const int GrainSize = 256;

    /// <summary>Edge of the fibre table: 2048 px (0.5 mm at 0.243 um/px), long enough that fibres of a few hundred pixels do not visibly repeat.</summary>
    public const int FibreSize = 2048;

    /// <summary>Edge of the warp table, sampled every <see cref="WarpStep"/> pixels.</summary>
    public const int WarpSize = 256;

    public const int WarpShift = 4;
    public const int WarpStep = 1 << WarpShift;

    private static readonly Lazy<NoiseTables> SharedTables = new(() => new NoiseTables(0x0DDBA11UL));

    public static NoiseTables Shared => SharedTables.Value;

    /// <summary>Fine grain, mean 0, standard deviation 10: stain speckle, camera noise.</summary>
    public sbyte[] Grain { get; }

    /// <summary>Streaks along x, 0..255: collagen fibres once rotated and warped.</summary>
    public byte[] Fibre { get; }

    /// <summary>Smooth offsets (standard deviation 36 pixels) that bend the fibres into waves.</summary>
    public sbyte[] Warp { get; }

    private NoiseTables(ulong seed)
    {
        var rng = new SplitMix64(seed);
        Grain = ToSByte(Blur(Gaussian(ref rng, GrainSize), GrainSize, 1, 1), 10);
        Fibre = FibreStreaks(ref rng);
        Warp = ToSByte(Blur(Blur(Gaussian(ref rng, WarpSize), WarpSize, 6, 6), WarpSize, 6, 6), 36);
    }

    private static byte[] FibreStreaks(ref SplitMix64 rng)
    {
        // Noise smeared far along x and little along y: elongated streaks, then a soft threshold turns them into
        // bright fibres over a pale ground, as eosin-stained collagen bundles look. Built row by row in floats:
        // the table is 4 Mi entries, and whole-table double buffers per pass would spike memory by ~100 MB.
        const int size = FibreSize;
        var field = new float[size * size];
        var row = new double[size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++) row[x] = rng.NextGaussian();
            for (var pass = 0; pass < 3; pass++) BlurLine(row, 48);
            for (var x = 0; x < size; x++) field[y * size + x] = (float)row[x];
        }
        var column = new double[size];
        for (var x = 0; x < size; x++)
        {
            for (var y = 0; y < size; y++) column[y] = field[y * size + x];
            for (var pass = 0; pass < 2; pass++) BlurLine(column, 2);
            for (var y = 0; y < size; y++) field[y * size + x] = (float)column[y];
        }

        double sum = 0, squares = 0;
        foreach (var v in field)
        {
            sum += v;
            squares += (double)v * v;
        }
        var mean = sum / field.Length;
        var sd = Math.Sqrt(squares / field.Length - mean * mean);
        var fibre = new byte[field.Length];
        for (var i = 0; i < field.Length; i++)
        {
            var t = Math.Clamp(((field[i] - mean) / sd + 0.3) / 1.6, 0, 1);
            fibre[i] = (byte)Math.Round(255 * t * t * (3 - 2 * t));
        }
        return fibre;
    }

    /// <summary>Box blur of one wrap-around line in place, by a running sum.</summary>
    private static void BlurLine(double[] line, int radius)
    {
        var n = line.Length;
        var copy = (double[])line.Clone();
        double sum = 0;
        for (var d = -radius; d <= radius; d++) sum += copy[(d + n) % n];
        for (var i = 0; i < n; i++)
        {
            line[i] = sum / (2 * radius + 1);
            sum += copy[(i + radius + 1) % n] - copy[(i - radius + n) % n];
        }
    }

    private static double[] Gaussian(ref SplitMix64 rng, int size)
    {
        var values = new double[size * size];
        for (var i = 0; i < values.Length; i++) values[i] = rng.NextGaussian();
        return values;
    }

    /// <summary>Box blur with wrap-around, radius rx along x and ry along y; running sums, so cost does not grow with the radius.</summary>
    private static double[] Blur(double[] source, int size, int rx, int ry)
    {
        var mask = size - 1;
        var tmp = new double[source.Length];
        for (var y = 0; y < size; y++)
        {
            var row = y * size;
            double sum = 0;
            for (var d = -rx; d <= rx; d++) sum += source[row + (d & mask)];
            for (var x = 0; x < size; x++)
            {
                tmp[row + x] = sum / (2 * rx + 1);
                sum += source[row + ((x + rx + 1) & mask)] - source[row + ((x - rx) & mask)];
            }
        }
        var result = new double[source.Length];
        for (var x = 0; x < size; x++)
        {
            double sum = 0;
            for (var d = -ry; d <= ry; d++) sum += tmp[(d & mask) * size + x];
            for (var y = 0; y < size; y++)
            {
                result[y * size + x] = sum / (2 * ry + 1);
                sum += tmp[((y + ry + 1) & mask) * size + x] - tmp[((y - ry) & mask) * size + x];
            }
        }
        return result;
    }

    private static void Normalise(double[] values)
    {
        var mean = values.Average();
        var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        for (var i = 0; i < values.Length; i++) values[i] = (values[i] - mean) / sd;
    }

    private static sbyte[] ToSByte(double[] values, double amplitude)
    {
        Normalise(values);
        var result = new sbyte[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = (sbyte)Math.Clamp(Math.Round(values[i] * amplitude), -127, 127);
        return result;
    }
}
