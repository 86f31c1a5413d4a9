using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath mask SLIDE... --out DIR [--tissue robust|otsu] [--level N] [--min-object-size N] [--json]</c>: a tissue mask
/// (<c>{stem}.mask</c>, and as numpy <c>{stem}.mask.npy</c>) and an outlined thumbnail (<c>{stem}.mask.png</c>) per slide. A slide that cannot
/// be read fails alone; the exit code says whether all, some or none succeeded.
/// </summary>
internal static class MaskCommand
{
    public static Command Create()
    {
        var slides = new Argument<string[]>("slides") { Description = "Slide files to mask.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder for {stem}.mask, {stem}.mask.npy (numpy, uint8 rows x columns) and {stem}.mask.png (created if missing).", Required = true };
        var level = new Option<int?>("--level") { Description = "Pyramid level to mask at; default: the level nearest downsample 64, or a virtual one made by averaging." };
        var minObjectSize = new Option<int>("--min-object-size") { Description = "Drop tissue components (8-connected) smaller than this many mask pixels; default 0 keeps all." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array of per-slide results instead of text." };
        var tissue = TissueOption.Create();
        level.Validators.Add(r => { if (r.GetValueOrDefault<int?>() < 0) r.AddError("--level must be 0 or more"); });
        minObjectSize.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--min-object-size must be 0 or more"); });

        var command = new Command("mask", "Make tissue masks (robust to pen ink, faint stain and debris; or the NCRF/MONAI Otsu rule) and outlined thumbnails.")
        {
            slides, output, tissue, level, minObjectSize, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var options = new TissueMaskOptions
            {
                Method = TissueOption.Parse(parse.GetValue(tissue)),
                Level = parse.GetValue(level),
                MinObjectSize = parse.GetValue(minObjectSize),
            };
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var asJson = parse.GetValue(json);

            var reports = new List<MaskReport>();
            var stems = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var path in parse.GetValue(slides)!)
            {
                var report = MaskOne(path, outDir, options, stems);
                reports.Add(report);
                if (report.Error is not null) stderr.WriteLine($"opath: {report.Error}");
                else if (!asJson) stdout.WriteLine(report.ToText());
            }
            if (asJson) stdout.WriteLine(JsonSerializer.Serialize(reports, CliJson.Options));

            var failed = reports.Count(r => r.Error is not null);
            return failed == 0 ? ExitCodes.Success : failed < reports.Count ? ExitCodes.PartialFailure : ExitCodes.Failure;
        }));
        return command;
    }

    private static MaskReport MaskOne(string path, string outDir, TissueMaskOptions options, Dictionary<string, string> stems)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        // Two slides of one name from different folders would write the same files; the second must not
        // silently replace the first's mask.
        if (stems.TryGetValue(stem, out var earlier))
            return MaskReport.Failed(path, $"{path}: its outputs {stem}.mask, {stem}.mask.npy and {stem}.mask.png would overwrite those of {earlier}");
        try
        {
            using var slide = Slide.Open(path);
            var result = TissueDetector.Detect(slide, options);
            stems[stem] = path;
            var maskPath = Path.Combine(outDir, stem + ".mask");
            var thumbnailPath = Path.Combine(outDir, stem + ".mask.png");
            result.Mask.Save(maskPath);
            result.Mask.SaveNpy(Path.ChangeExtension(maskPath, ".mask.npy"));
            PngWriter.WriteRgb(thumbnailPath, result.Outline());
            return MaskReport.Of(path, maskPath, thumbnailPath, result);
        }
        catch (SlideException ex)
        {
            return MaskReport.Failed(path, ex.Message);
        }
    }

    /// <summary>One slide's outcome, for text and JSON: the files and mask facts, or the error.</summary>
    internal sealed record MaskReport(
        string Slide,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Mask,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Thumbnail,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Level,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Downsample,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Width,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Height,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? TissueFraction,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TissueThresholds? Thresholds,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
    {
        public static MaskReport Of(string slide, string mask, string thumbnail, TissueMaskResult result) => new(
            slide, mask, thumbnail, result.Mask.Level, result.Mask.Downsample, result.Mask.Width, result.Mask.Height,
            result.TissueFraction, result.Thresholds, null);

        public static MaskReport Failed(string slide, string error) => new(slide, null, null, null, null, null, null, null, null, error);

        public string ToText() =>
            $"{Slide}: tissue {TissueFraction * 100:0.0}% of a {Width}x{Height} mask at level {Level} (downsample {Downsample:0.###}) -> {Mask}, {Thumbnail}";
    }
}
