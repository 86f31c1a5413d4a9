using System.Text.Json;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Training;

/// <summary>Writes a <see cref="TrainingDataset"/> as Clara-style dataset.json (the layout <see cref="DatasetReader.ReadClaraJson"/> reads).</summary>
public static class DatasetWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// Writes <c>{"training": [...], "validation": [...]}</c>, one entry per sample with a one-element location and
    /// label, image paths relative to the folder of <paramref name="path"/> (forward slashes), as <c>opath synth</c> writes.
    /// </summary>
    public static void WriteClaraJson(TrainingDataset dataset, string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(folder);
        var file = new PatchDataset(Entries(dataset.Training, folder), Entries(dataset.Validation, folder));
        var temporary = path + ".partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(file, Json));
        File.Move(temporary, path, overwrite: true);
    }

    private static List<PatchEntry> Entries(IReadOnlyList<TrainingSample> samples, string folder) =>
        samples.Select(s => new PatchEntry(Path.GetRelativePath(folder, s.Image).Replace(Path.DirectorySeparatorChar, '/'), [s.X, s.Y], [s.Label])).ToList();
}
