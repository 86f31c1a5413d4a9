using OrleansPathology.Inference;

namespace OrleansPathology.Evaluation;

/// <summary>One slide's detections, as the CAMELYON16 submission gives them: <c>prob,X,Y</c> in level-0 pixels.</summary>
/// <param name="SlideId">The slide id; predictions and truth are matched on it.</param>
/// <param name="Lesions">Detections in file order (the order decides which of equal-probability hits a region keeps).</param>
/// <param name="Source">The CSV they came from, for messages and the report.</param>
public sealed record SlidePredictions(string SlideId, IReadOnlyList<Lesion> Lesions, string Source);

/// <summary>
/// Reads a folder of prediction CSVs: every <c>*.csv</c> directly in it is one slide, its id the file name without
/// <c>.csv</c> — the name <see cref="InferenceOutputs"/> gives the lesions of a slide (<c>{slide file stem}.csv</c>), and
/// the name the CAMELYON16 script expects (<c>case[0:-4]</c>). Other files (maps, heatmaps) are ignored.
/// </summary>
public static class PredictionFiles
{
    public static IReadOnlyList<SlidePredictions> Read(string directory)
    {
        if (!Directory.Exists(directory)) throw new EvaluationException(directory, "predictions folder not found");
        var files = Directory.GetFiles(directory, "*.csv").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new EvaluationException(directory, "holds no prediction files (*.csv with prob,X,Y lines, one per slide)");
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var slides = new List<SlidePredictions>(files.Count);
        foreach (var file in files)
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!seen.TryAdd(id, file))
                throw new EvaluationException(directory, $"two prediction files for slide '{id}': {seen[id]} and {file}");
            slides.Add(new SlidePredictions(id, LesionDetector.ReadCsv(file), file));
        }
        return slides;
    }
}
