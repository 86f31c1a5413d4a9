using System.Globalization;
using OrleansPathology.Imaging;

namespace OrleansPathology.Training;

/// <summary>
/// Reads a patch-classification dataset as PCam and most patch users keep one: a folder of patch images (PNG) with their
/// labels, either in class subfolders (<c>tumor/</c>, <c>normal/</c>; also <c>tumour</c>, <c>positive</c>, <c>1</c> and
/// <c>negative</c>, <c>0</c>), optionally under split folders (<c>train/</c>, <c>valid/</c> or <c>validation/</c>, <c>val/</c>,
/// <c>test/</c>), or in a CSV (<c>labels.csv</c> in the folder, or the CSV itself) with a header naming the image column
/// (<c>file</c>, <c>path</c>, <c>image</c> or <c>filename</c>, relative to the CSV), the label column (<c>label</c>,
/// <c>is_tumor</c>, <c>tumor</c>, <c>target</c>: 0 or 1) and optionally a <c>split</c> column. Each sample is the
/// image's centre window (<see cref="PatchImage"/>).
/// </summary>
/// <remarks>Entries of a <c>train</c>/<c>training</c> split are trained on; every other split is validation. Without
/// splits every entry is in the training list and the validation list is empty (<see cref="Read"/> says so).</remarks>
public static class PatchFolderDataset
{
    /// <summary>The CSV looked for in a folder.</summary>
    public const string LabelsFile = "labels.csv";

    private static readonly string[] ImageColumns = ["file", "path", "image", "filename"];
    private static readonly string[] LabelColumns = ["label", "is_tumor", "is_tumour", "tumor", "tumour", "target"];
    private static readonly string[] TrainSplits = ["train", "training"];
    private static readonly string[] OtherSplits = ["valid", "validation", "val", "test"];

    /// <summary>Whether <paramref name="path"/> is a patch folder or a labels CSV rather than a dataset.json.</summary>
    public static bool IsPatchDataset(string path) =>
        Directory.Exists(path) || path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the dataset; <c>HasSplits</c> says whether the data named its splits.</summary>
    public static (TrainingDataset Dataset, bool HasSplits) Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path)) return FromCsv(path);
        if (!Directory.Exists(path)) throw new DatasetException(path, "patch folder not found");
        var csv = Path.Combine(path, LabelsFile);
        if (File.Exists(csv)) return FromCsv(csv);

        var training = new List<TrainingSample>();
        var validation = new List<TrainingSample>();
        var splits = Directory.GetDirectories(path).Where(d => IsSplit(Path.GetFileName(d))).Order(StringComparer.Ordinal).ToList();
        if (splits.Count == 0)
        {
            training.AddRange(FromClassFolders(path, path));
        }
        else
        {
            foreach (var split in splits)
            {
                var into = TrainSplits.Contains(Path.GetFileName(split).ToLowerInvariant()) ? training : validation;
                into.AddRange(FromClassFolders(path, split));
            }
        }
        if (training.Count + validation.Count == 0)
            throw new DatasetException(path, $"holds no patch images: expected {LabelsFile}, or class folders (tumor/, normal/) of PNG patches");
        return (new TrainingDataset(training, validation, Path.GetFullPath(path)), splits.Count > 0);
    }

    private static bool IsSplit(string name) => TrainSplits.Contains(name.ToLowerInvariant()) || OtherSplits.Contains(name.ToLowerInvariant());

    private static List<TrainingSample> FromClassFolders(string root, string folder)
    {
        var samples = new List<TrainingSample>();
        foreach (var classFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(classFolder);
            var label = LabelOfClass(name) ?? throw new DatasetException(classFolder,
                $"class folder '{name}' is neither tumour (tumor, tumour, positive, 1) nor normal (normal, negative, 0)");
            foreach (var file in Directory.GetFiles(classFolder).Where(PatchImage.IsPatchImage).Order(StringComparer.Ordinal))
                samples.Add(Sample(file, label, Path.GetRelativePath(root, file)));
        }
        return samples;
    }

    private static int? LabelOfClass(string name) => name.ToLowerInvariant() switch
    {
        "tumor" or "tumour" or "positive" or "metastasis" or "1" => TrainingSample.Tumour,
        "normal" or "negative" or "0" => TrainingSample.Normal,
        _ => null,
    };

    private static (TrainingDataset, bool) FromCsv(string csv)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(csv))!;
        var lines = File.ReadAllLines(csv);
        if (lines.Length == 0) throw new DatasetException(csv, "is empty; expected a header such as file,label");
        var header = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToList();
        var imageColumn = ImageColumns.Select(c => header.IndexOf(c)).FirstOrDefault(i => i >= 0, -1);
        var labelColumn = LabelColumns.Select(c => header.IndexOf(c)).FirstOrDefault(i => i >= 0, -1);
        var splitColumn = header.IndexOf("split");
        if (imageColumn < 0 || labelColumn < 0)
            throw new DatasetException(csv, $"header '{lines[0]}' needs an image column ({string.Join(", ", ImageColumns)}) and a label column ({string.Join(", ", LabelColumns)})");

        var training = new List<TrainingSample>();
        var validation = new List<TrainingSample>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var origin = $"{Path.GetFileName(csv)}:{i + 1}";
            var cells = lines[i].Split(',');
            if (cells.Length <= Math.Max(imageColumn, Math.Max(labelColumn, splitColumn)))
                throw new DatasetException(csv, $"line {i + 1} has {cells.Length} fields, fewer than the header's {header.Count}");
            var text = cells[labelColumn].Trim();
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value is not (0 or 1))
                throw new DatasetException(csv, $"line {i + 1}: label '{text}' is neither 0 nor 1");
            var image = Path.GetFullPath(Path.Combine(folder, cells[imageColumn].Trim()));
            if (!PatchImage.IsPatchImage(image)) throw new DatasetException(csv, $"line {i + 1}: {image} is not a PNG patch image");
            var split = splitColumn >= 0 ? cells[splitColumn].Trim().ToLowerInvariant() : "";
            (TrainSplits.Contains(split) || split.Length == 0 ? training : validation).Add(Sample(image, (int)value, origin));
        }
        return (new TrainingDataset(training, validation, Path.GetFullPath(csv)), splitColumn >= 0);
    }

    private static TrainingSample Sample(string image, int label, string origin)
    {
        if (!File.Exists(image)) throw new DatasetException(origin, $"patch image {image} not found");
        var (width, height) = PngReader.Size(image);
        return new TrainingSample(image, width / 2, height / 2, label, origin);
    }
}
