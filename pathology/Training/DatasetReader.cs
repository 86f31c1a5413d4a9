using System.Globalization;
using System.Text.Json;

namespace OrleansPathology.Training;

/// <summary>
/// Reads training lists in the two layouts the reference models were trained from:
/// Clara Train / MONAI <c>dataset.json</c> and NCRF's coordinate files. Parsing only: whether the slides exist and
/// hold each patch is <see cref="DatasetValidator"/>'s job, done once per slide.
/// </summary>
public static class DatasetReader
{
    /// <summary>CAMELYON16 slides are named without their extension in NCRF's coordinate files.</summary>
    public const string CamelyonSlideExtension = ".tif";

    /// <summary>A dataset.json, or a patch folder or labels CSV (<see cref="PatchFolderDataset"/>).</summary>
    public static TrainingDataset Read(string path) =>
        PatchFolderDataset.IsPatchDataset(path) ? PatchFolderDataset.Read(path).Dataset : ReadClaraJson(path);

    /// <summary>
    /// Reads a Clara-style <c>{"training": [...], "validation": [...]}</c>. Each entry has <c>image</c> (a path
    /// relative to the JSON file, or absolute), <c>location</c> and <c>label</c>. <c>location</c> is one level-0
    /// centre <c>[x, y]</c> or a list of them <c>[[x, y], ...]</c>; <c>label</c> is one value (<c>1</c> or <c>[1]</c>)
    /// or a list with one value per location. Labels are 0 or 1. A missing list reads as empty; a list that is not
    /// an array, or any malformed entry, is a <see cref="DatasetException"/> naming the list and index.
    /// </summary>
    public static TrainingDataset ReadClaraJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new DatasetException(path, "dataset file not found");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new DatasetException(path, $"not valid JSON: {ex.Message}", inner: ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new DatasetException(path, $"the top level is a JSON {document.RootElement.ValueKind}, expected an object with \"training\" and \"validation\" lists");
            var training = ReadList(path, folder, document.RootElement, "training");
            var validation = ReadList(path, folder, document.RootElement, "validation");
            if (training.Count == 0 && validation.Count == 0)
                throw new DatasetException(path, "has neither a \"training\" nor a \"validation\" entry");
            return new TrainingDataset(training, validation, Path.GetFullPath(path));
        }
    }

    /// <summary>
    /// Reads an NCRF coordinate file: one <c>Slide_name,x,y</c> per line, (x, y) the level-0 patch centre. The slide is
    /// <paramref name="slideFolder"/>/<c>Slide_name</c> plus <paramref name="slideExtension"/> unless the name already ends in it.
    /// The label is <paramref name="label"/>, or else read from the file's name: <c>tumor</c>/<c>tumour</c> is 1,
    /// <c>normal</c> is 0 (NCRF's <c>tumor_train.txt</c>, <c>normal_valid.txt</c>). Blank lines are skipped.
    /// </summary>
    public static IReadOnlyList<TrainingSample> ReadNcrfCoords(string path, string slideFolder, int? label = null, string slideExtension = CamelyonSlideExtension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(slideFolder);
        if (!File.Exists(path)) throw new DatasetException(path, "coordinate file not found");
        var fileName = Path.GetFileName(path);
        var resolvedLabel = label ?? LabelFromName(path, fileName);
        if (resolvedLabel is not (TrainingSample.Normal or TrainingSample.Tumour))
            throw new DatasetException(path, $"label {resolvedLabel} is neither 0 (normal) nor 1 (tumour)");

        var folder = Path.GetFullPath(slideFolder);
        var samples = new List<TrainingSample>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split(',');
            if (parts.Length != 3)
                throw new DatasetException(path, $"line {lineNumber} \"{line}\" is not Slide_name,x,y");
            var name = parts[0].Trim();
            if (name.Length == 0) throw new DatasetException(path, $"line {lineNumber} \"{line}\" has an empty slide name");
            if (!long.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var x)
                || !long.TryParse(parts[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var y))
                throw new DatasetException(path, $"line {lineNumber} \"{line}\": x and y must be integers");
            var image = Path.Combine(folder, name.EndsWith(slideExtension, StringComparison.OrdinalIgnoreCase) ? name : name + slideExtension);
            samples.Add(new TrainingSample(image, x, y, resolvedLabel, $"{fileName}:{lineNumber}"));
        }
        return samples;
    }

    private static int LabelFromName(string path, string fileName)
    {
        var name = fileName.ToLowerInvariant();
        var tumour = name.Contains("tumor", StringComparison.Ordinal) || name.Contains("tumour", StringComparison.Ordinal);
        var normal = name.Contains("normal", StringComparison.Ordinal);
        if (tumour == normal)
            throw new DatasetException(path, "cannot tell the label from the file name (expected 'tumor' or 'normal' in it); give the label explicitly");
        return tumour ? TrainingSample.Tumour : TrainingSample.Normal;
    }

    private static List<TrainingSample> ReadList(string path, string folder, JsonElement root, string listName)
    {
        var samples = new List<TrainingSample>();
        if (!root.TryGetProperty(listName, out var list) || list.ValueKind == JsonValueKind.Null) return samples;
        if (list.ValueKind != JsonValueKind.Array)
            throw new DatasetException(path, $"\"{listName}\" is a JSON {list.ValueKind}, expected an array of entries");

        var index = 0;
        foreach (var entry in list.EnumerateArray())
        {
            var origin = $"{listName}[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw new DatasetException(path, $"{origin} is a JSON {entry.ValueKind}, expected an object with image, location and label");
            var image = entry.TryGetProperty("image", out var imageElement) && imageElement.ValueKind == JsonValueKind.String
                ? imageElement.GetString()!
                : throw new DatasetException(path, $"{origin} has no \"image\" string");
            if (image.Length == 0) throw new DatasetException(path, $"{origin} has an empty \"image\"");
            var fullImage = Path.GetFullPath(Path.Combine(folder, image));

            var locations = ReadLocations(path, origin, entry);
            var labels = ReadLabels(path, origin, entry);
            if (labels.Count != locations.Count)
                throw new DatasetException(path, $"{origin} ({image}) has {locations.Count} location(s) but {labels.Count} label(s); give one label per location");
            for (var i = 0; i < locations.Count; i++)
            {
                var where = locations.Count == 1 ? origin : $"{origin}.location[{i}]";
                if (labels[i] is not (TrainingSample.Normal or TrainingSample.Tumour))
                    throw new DatasetException(path, $"{where} ({image}) has label {labels[i]}; labels are 0 (normal) or 1 (tumour)");
                samples.Add(new TrainingSample(fullImage, locations[i].X, locations[i].Y, labels[i], where));
            }
        }
        return samples;
    }

    private static List<(long X, long Y)> ReadLocations(string path, string origin, JsonElement entry)
    {
        if (!entry.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.Array)
            throw new DatasetException(path, $"{origin} has no \"location\" array ([x, y] or [[x, y], ...])");
        var items = location.EnumerateArray().ToList();
        if (items.Count == 0) throw new DatasetException(path, $"{origin} has an empty \"location\"");
        if (items[0].ValueKind == JsonValueKind.Number)
            return [Pair(path, origin, location)];
        return items.Select(item => Pair(path, origin, item)).ToList();
    }

    private static (long X, long Y) Pair(string path, string origin, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
            throw new DatasetException(path, $"{origin}: location {element.GetRawText()} is not an [x, y] pair");
        return (Integer(path, origin, "location", element[0]), Integer(path, origin, "location", element[1]));
    }

    private static List<int> ReadLabels(string path, string origin, JsonElement entry)
    {
        if (!entry.TryGetProperty("label", out var label))
            throw new DatasetException(path, $"{origin} has no \"label\"");
        if (label.ValueKind == JsonValueKind.Number) return [(int)Integer(path, origin, "label", label)];
        if (label.ValueKind != JsonValueKind.Array || label.GetArrayLength() == 0)
            throw new DatasetException(path, $"{origin}: label {label.GetRawText()} is neither a number nor a non-empty list of numbers");
        return label.EnumerateArray().Select(l => (int)Integer(path, origin, "label", l)).ToList();
    }

    private static long Integer(string path, string origin, string field, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            if (element.TryGetInt64(out var value)) return value;
            // 1234.0 is accepted: some writers emit every number as a float.
            if (element.TryGetDouble(out var real) && real == Math.Floor(real) && Math.Abs(real) < 1e15) return (long)real;
        }
        throw new DatasetException(path, $"{origin}: {field} value {element.GetRawText()} is not an integer");
    }
}
