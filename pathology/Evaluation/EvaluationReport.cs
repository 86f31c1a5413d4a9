using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansPathology.Imaging;

namespace OrleansPathology.Evaluation;

/// <summary>The files <see cref="EvaluationReport.Write"/> produces.</summary>
public sealed record EvaluationReportPaths(string Markdown, string FrocPng, string Regions, string Detections, string Json, string FrocCsv)
{
    public static EvaluationReportPaths For(string directory) => new(
        Path.Combine(directory, "evaluation.md"),
        Path.Combine(directory, "froc.png"),
        Path.Combine(directory, "regions.csv"),
        Path.Combine(directory, "detections.csv"),
        Path.Combine(directory, "evaluation.json"),
        Path.Combine(directory, "froc.csv"));
}

/// <summary>One slide's line in the summary.</summary>
public sealed record SlideSummary(string SlideId, bool HasTumour, bool HasTruth, int Regions, int IsolatedTumourCellRegions, int Hits, int FalsePositives,
    int Detections, float MaxProbability);

/// <summary>What <c>evaluation.json</c> and <c>opath evaluate --json</c> hold: the numbers without the per-detection detail.</summary>
public sealed record EvaluationSummary(
    double? FrocScore,
    IReadOnlyList<FrocOperatingPoint> OperatingPoints,
    double? SlideAuc,
    int Slides,
    int TumourSlides,
    int NormalSlides,
    int SlidesWithoutTruth,
    int Regions,
    int IsolatedTumourCellRegions,
    int HitRegions,
    int Detections,
    int FalsePositives,
    IReadOnlyList<string> TruthWithoutPredictions,
    IReadOnlyList<FrocPoint> Curve,
    IReadOnlyList<SlideSummary> PerSlide,
    PatchAccuracyResult? PatchAccuracy,
    string TruthSource,
    string Resolution)
{
    public static EvaluationSummary Of(FrocResult result, PatchAccuracyResult? patches = null) => new(
        result.Score,
        result.OperatingPoints,
        result.SlideAuc,
        result.Slides.Count,
        result.TumourSlides,
        result.NormalSlides,
        result.SlidesWithoutTruth,
        result.CountedRegions,
        result.IsolatedTumourCellRegions,
        result.HitRegions,
        result.Detections,
        result.FalsePositives,
        result.TruthWithoutPredictions,
        result.Curve.Points,
        result.Slides.Select(s => new SlideSummary(s.SlideId, s.HasTumour, s.TruthSource is not null, s.CountedRegions,
            s.Regions.Count(r => r.IsolatedTumourCells), s.HitRegions, s.FalsePositives, s.Detections.Count, s.MaxProbability)).ToList(),
        patches,
        result.TruthSource,
        result.ResolutionRule);

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>
/// Writes an evaluation's report into a folder: <c>evaluation.md</c> (score, sensitivities, AUC, per-slide table, the
/// rules applied), <c>froc.png</c> (the curve on a log axis with the six operating points), <c>regions.csv</c> (every
/// tumour region, hit or missed), <c>detections.csv</c> (every detection and its verdict) and <c>evaluation.json</c>.
/// </summary>
public static class EvaluationReport
{
    public static EvaluationReportPaths Write(string directory, FrocResult result, PatchAccuracyResult? patches = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(directory);
        var paths = EvaluationReportPaths.For(directory);
        PngWriter.WriteRgb(paths.FrocPng, FrocFigure.Render(result));
        FrocFigure.WriteCsv(paths.FrocCsv, result);
        WriteRegions(paths.Regions, result);
        WriteDetections(paths.Detections, result);
        File.WriteAllText(paths.Json, JsonSerializer.Serialize(EvaluationSummary.Of(result, patches), EvaluationSummary.Json));
        File.WriteAllText(paths.Markdown, Markdown(result, patches, paths));
        return paths;
    }

    private static void WriteRegions(string path, FrocResult result)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("slide,label,itc,area_px,major_axis_um,centre_x,centre_y,hit,hit_prob,hit_x,hit_y");
        foreach (var slide in result.Slides)
        {
            foreach (var r in slide.Regions)
            {
                var hit = r.Hit;
                writer.WriteLine(Invariant($"{Csv(slide.SlideId)},{r.Label},{(r.IsolatedTumourCells ? 1 : 0)},{r.AreaPixels},{r.MajorAxisMicrons:0.#},{r.CentreX:0},{r.CentreY:0},{(hit is null ? 0 : 1)},{hit?.Probability:0.######},{hit?.X:0.#},{hit?.Y:0.#}"));
            }
        }
    }

    private static void WriteDetections(string path, FrocResult result)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("slide,prob,x,y,outcome,label");
        foreach (var slide in result.Slides)
        {
            foreach (var d in slide.Detections)
                writer.WriteLine(Invariant($"{Csv(slide.SlideId)},{d.Probability:0.######},{d.X:0.#},{d.Y:0.#},{Outcome(d.Kind)},{d.Label}"));
        }
    }

    private static string Outcome(DetectionKind kind) => kind switch
    {
        DetectionKind.TruePositive => "hit",
        DetectionKind.RepeatHit => "repeat_hit",
        DetectionKind.IsolatedTumourCells => "itc",
        DetectionKind.FalsePositive => "false_positive",
        DetectionKind.OffSlide => "off_slide_false_positive",
        _ => kind.ToString(),
    };

    private static string Markdown(FrocResult result, PatchAccuracyResult? patches, EvaluationReportPaths paths)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(Invariant(text));
        md.AppendLine("# CAMELYON16 evaluation");
        md.AppendLine();
        Line($"- **FROC score**: {(result.Score is { } s ? s.ToString("0.0000", CultureInfo.InvariantCulture) : "undefined (no counted tumour region)")}");
        Line($"- **Slide-level AUC** (slide score = highest detection probability): {(result.SlideAuc is { } a ? a.ToString("0.0000", CultureInfo.InvariantCulture) : "undefined (needs tumour and normal slides)")}");
        if (patches is not null)
            Line($"- **Patch accuracy**: {patches.Accuracy:0.0000} ({patches.Correct} of {patches.Samples}; tumour {patches.TumourCorrect}/{patches.TumourSamples}, normal {patches.NormalCorrect}/{patches.NormalSamples}; mean loss {patches.MeanLoss:0.0000})");
        Line($"- Slides: {result.Slides.Count} ({result.TumourSlides} with tumour, {result.NormalSlides} without; {result.SlidesWithoutTruth} had no truth and were scored as normal)");
        Line($"- Tumour regions: {result.CountedRegions} counted, {result.HitRegions} hit; {result.IsolatedTumourCellRegions} isolated-tumour-cell regions ignored");
        Line($"- Detections: {result.Detections}, of which {result.FalsePositives} false positives");
        Line($"- Resolution: {result.ResolutionRule}");
        Line($"- Truth: {result.TruthSource}");
        md.AppendLine();
        md.AppendLine("| false positives per slide | sensitivity |");
        md.AppendLine("|---:|---:|");
        foreach (var p in result.OperatingPoints) Line($"| {p.FalsePositivesPerSlide:0.##} | {p.Sensitivity:0.0000} |");
        md.AppendLine();
        Line($"![FROC curve]({Path.GetFileName(paths.FrocPng)})");
        md.AppendLine();
        md.AppendLine("## Slides");
        md.AppendLine();
        md.AppendLine("| slide | truth | regions | ITC | hit | missed | false positives | detections | max prob |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var slide in result.Slides)
        {
            var truth = slide.TruthSource is null ? "none (normal)" : slide.HasTumour ? "tumour" : "no tumour";
            var itc = slide.Regions.Count(r => r.IsolatedTumourCells);
            Line($"| {slide.SlideId} | {truth} | {slide.CountedRegions} | {itc} | {slide.HitRegions} | {slide.CountedRegions - slide.HitRegions} | {slide.FalsePositives} | {slide.Detections.Count} | {slide.MaxProbability:0.####} |");
        }
        if (result.TruthWithoutPredictions.Count > 0)
        {
            md.AppendLine();
            Line($"**Not evaluated** (truth but no predictions file): {string.Join(", ", result.TruthWithoutPredictions)}");
        }
        md.AppendLine();
        md.AppendLine("## Files");
        md.AppendLine();
        Line($"- `{Path.GetFileName(paths.Regions)}`: every tumour region (label, ITC or not, size, centre) and its hit or miss");
        Line($"- `{Path.GetFileName(paths.Detections)}`: every detection and its verdict (hit, repeat_hit, itc, false_positive, off_slide_false_positive)");
        Line($"- `{Path.GetFileName(paths.Json)}`: these numbers and the whole FROC curve");
        Line($"- `{Path.GetFileName(paths.FrocCsv)}`: the FROC curve's points (false positives per slide, sensitivity, threshold), the data of `{Path.GetFileName(paths.FrocPng)}`");
        md.AppendLine();
        md.AppendLine("## Rules (CAMELYON16 `Evaluation_FROC.py`)");
        md.AppendLine();
        md.AppendLine("- Evaluation mask at level 5 (32 level-0 pixels per mask pixel): tumour grown to pixels whose Euclidean distance is below 75 um / 2, holes filled, 8-connected regions.");
        md.AppendLine("- Regions with a major axis below 275 um are isolated tumour cells: detections there count neither as hits nor as false positives.");
        Line($"- Micrometres are converted at {result.ResolutionRule}.");
        md.AppendLine("- A detection `prob,X,Y` hits the region at mask[int(Y/32), int(X/32)]; each region keeps its highest-probability hit; a detection off the mask is a false positive.");
        md.AppendLine("- Predictions are matched to truth by slide id, the CSV's file name without `.csv`; a slide without truth is normal and all its detections are false positives.");
        md.AppendLine("- Thresholds are the distinct probabilities of false positives and of each region's hit (0 for missed and ITC regions), without the lowest, as the script's `all_probs[1:]`; detections tied on a threshold count together.");
        md.AppendLine("- Sensitivity = hit regions / counted regions; false positives per slide = false positives / slides evaluated; read at 1/4, 1/2, 1, 2, 4, 8 as numpy.interp does; the score is their mean.");
        return md.ToString();
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
