using System.Globalization;

namespace OrleansPathology.Inference;

/// <summary>
/// A detected lesion: its probability and level-0 position, one row of the CAMELYON16 submission CSV.
/// Detection gives whole pixels (the official reader parses X and Y as integers); read files may hold fractions.
/// </summary>
public sealed record Lesion(float Probability, double X, double Y);

/// <summary>
/// Non-maximum suppression on a probability map, as MONAI's PathologyProbNMS (sigma 0) does for the
/// pathology_tumor_detection bundle: repeatedly take the highest cell above the threshold, report it,
/// and zero a box of <see cref="BoxLevel0Pixels"/> level-0 pixels (so many cells at the map's stride) around it.
/// </summary>
public sealed class LesionDetector
{
    /// <summary>MONAI bundle default: prob_threshold 0.5.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>
    /// MONAI bundle default: box_size 48 pixels of the level-6 map, i.e. 48 * 64 = 3072 level-0 pixels (about 0.75 mm
    /// at 0.243 um/px). Held in level-0 pixels so the box covers the same tissue at every stride.
    /// </summary>
    public const int DefaultBoxLevel0Pixels = 48 * 64;

    public float Threshold { get; init; } = DefaultThreshold;

    /// <summary>Side of the suppression box in level-0 pixels.</summary>
    public int BoxLevel0Pixels { get; init; } = DefaultBoxLevel0Pixels;

    /// <summary>The box side in cells of a map at <paramref name="stride"/>: 48 at stride 64, 96 at 32; at least one cell.</summary>
    public int BoxCells(int stride) => Math.Max(1, (int)Math.Round((double)BoxLevel0Pixels / stride, MidpointRounding.AwayFromZero));

    public IReadOnlyList<Lesion> Detect(ProbabilityMap map)
    {
        // NaN (not computed) counts as 0: glass is never a lesion.
        var probs = map.Values.Select(v => float.IsNaN(v) ? 0f : v).ToArray();
        var box = BoxCells(map.Stride);
        var lower = box / 2;
        var upper = box - lower;
        var lesions = new List<Lesion>();
        while (true)
        {
            var best = -1;
            var bestValue = float.NegativeInfinity;
            for (var i = 0; i < probs.Length; i++)
            {
                // Strictly greater keeps the first (row-major) maximum on ties, like numpy's argmax.
                if (probs[i] > bestValue) { bestValue = probs[i]; best = i; }
            }
            if (best < 0 || !(bestValue > Threshold)) break;

            var (x, y) = (best % map.Width, best / map.Width);
            lesions.Add(new Lesion(bestValue, CentrePixel(x, map.Stride), CentrePixel(y, map.Stride)));
            for (var yy = Math.Max(0, y - lower); yy < Math.Min(map.Height, y + upper); yy++)
            {
                for (var xx = Math.Max(0, x - lower); xx < Math.Min(map.Width, x + upper); xx++) probs[yy * map.Width + xx] = 0;
            }
        }
        return lesions;
    }

    /// <summary>The whole level-0 pixel holding a cell's centre: (i + 0.5) * stride, rounded down at odd strides (31.5 -> 31).</summary>
    public static long CentrePixel(int cell, int stride) => (long)cell * stride + stride / 2;

    /// <summary>Writes the CAMELYON16 submission format: one <c>prob,X,Y</c> line per lesion, whole level-0 pixels.</summary>
    public static void WriteCsv(string path, IEnumerable<Lesion> lesions)
    {
        using var writer = new StreamWriter(path);
        foreach (var lesion in lesions)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lesion.Probability:0.######},{Math.Floor(lesion.X):0},{Math.Floor(lesion.Y):0}"));
        }
    }

    /// <summary>Reads a <c>prob,X,Y</c> CSV (a header line, if any, is skipped).</summary>
    public static IReadOnlyList<Lesion> ReadCsv(string path)
    {
        var lesions = new List<Lesion>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var parts = line.Split(',');
            if (parts.Length < 3 || !float.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
            {
                if (lineNumber == 1) continue; // header
                throw new InvalidDataException($"{path}:{lineNumber}: expected 'prob,X,Y', got '{line}'");
            }
            lesions.Add(new Lesion(p, x, y));
        }
        return lesions;
    }
}
