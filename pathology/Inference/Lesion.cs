using System.Globalization;

namespace OrleansPathology.Inference;

/// <summary>A detected lesion: its probability and level-0 position, one row of the CAMELYON16 submission CSV.</summary>
public sealed record Lesion(float Probability, double X, double Y);

/// <summary>
/// Non-maximum suppression on a probability map, as MONAI's PathologyProbNMS (sigma 0) does for the
/// pathology_tumor_detection bundle: repeatedly take the highest cell above the threshold, report it,
/// and zero a box of <see cref="BoxSize"/> cells around it.
/// </summary>
public sealed class LesionDetector
{
    /// <summary>MONAI bundle default: prob_threshold 0.5.</summary>
    public const float DefaultThreshold = 0.5f;

    /// <summary>MONAI bundle default: box_size 48 cells at level 6 (stride 64), about 0.75 mm at 0.243 um/px.</summary>
    public const int DefaultBoxSize = 48;

    public float Threshold { get; init; } = DefaultThreshold;
    public int BoxSize { get; init; } = DefaultBoxSize;

    public IReadOnlyList<Lesion> Detect(ProbabilityMap map)
    {
        // NaN (not computed) counts as 0: glass is never a lesion.
        var probs = map.Values.Select(v => float.IsNaN(v) ? 0f : v).ToArray();
        var lower = BoxSize / 2;
        var upper = BoxSize - lower;
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
            lesions.Add(new Lesion(bestValue, (x + 0.5) * map.Stride, (y + 0.5) * map.Stride));
            for (var yy = Math.Max(0, y - lower); yy < Math.Min(map.Height, y + upper); yy++)
            {
                for (var xx = Math.Max(0, x - lower); xx < Math.Min(map.Width, x + upper); xx++) probs[yy * map.Width + xx] = 0;
            }
        }
        return lesions;
    }

    /// <summary>Writes the CAMELYON16 submission format: one <c>prob,X,Y</c> line per lesion, level-0 pixels.</summary>
    public static void WriteCsv(string path, IEnumerable<Lesion> lesions)
    {
        using var writer = new StreamWriter(path);
        foreach (var lesion in lesions)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lesion.Probability:0.######},{lesion.X:0.#},{lesion.Y:0.#}"));
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
