using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansPathology.Evaluation;
using OrleansPathology.Inference;

namespace OrleansPathology.Client.Demo;

/// <summary>
/// The demo's one-folder report: <c>REPORT.md</c> (scores, per-slide heatmaps, the training curve, timings, how to
/// reproduce) and <c>demo.json</c> (the same numbers for scripts and tests). Links are relative, so the folder can be
/// moved or zipped whole.
/// </summary>
internal static class DemoReport
{
    public const string MarkdownFile = "REPORT.md";
    public const string JsonFile = "demo.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static (string Markdown, string Json) Write(DemoResult result)
    {
        var root = Path.GetFullPath(result.Options.OutputDirectory);
        var markdown = Path.Combine(root, MarkdownFile);
        var json = Path.Combine(root, JsonFile);
        File.WriteAllText(markdown, Markdown(result, root));
        File.WriteAllText(json, JsonSerializer.Serialize(Summary(result), Json));
        return (markdown, json);
    }

    /// <summary>The numbers of a run, as demo.json holds them.</summary>
    public static DemoSummary Summary(DemoResult result)
    {
        var froc = result.Froc;
        var last = result.Training.Status.History.LastOrDefault();
        return new DemoSummary(
            froc.Score,
            froc.OperatingPoints.ToDictionary(p => p.FalsePositivesPerSlide.ToString(CultureInfo.InvariantCulture), p => p.Sensitivity),
            froc.SlideAuc,
            last?.ValidationAccuracy,
            froc.Slides.Count,
            froc.TumourSlides,
            froc.CountedRegions,
            froc.HitRegions,
            froc.FalsePositives,
            result.Training.Status.GlobalStep,
            result.Options.Workers,
            result.Options.Cluster.ToString(),
            result.Stages.ToDictionary(s => s.Name, s => Math.Round(s.Elapsed.TotalSeconds, 1)),
            Math.Round(result.Elapsed.TotalSeconds, 1));
    }

    private static string Markdown(DemoResult result, string root)
    {
        var o = result.Options;
        var froc = result.Froc;
        var training = result.Training.Status;
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"# OrleansPathology demo");
        Line($"");
        Line($"Synthetic cohort `{result.Cohort.Id}` ({result.Cohort.Slides.Count} slides of {o.Width}x{o.Height} at 0.243 um/px), trained with {o.Workers} data-parallel trainer(s), scored on the cluster ({o.Cluster}), evaluated by the CAMELYON16 FROC protocol. Wall time {Format(result.Elapsed)}.");
        Line($"");
        Line($"| measure | value |");
        Line($"|---|---|");
        Line($"| **FROC** (mean sensitivity at 0.25, 0.5, 1, 2, 4, 8 FP per slide) | **{Number(froc.Score)}** |");
        foreach (var point in froc.OperatingPoints) Line($"| sensitivity at {point.FalsePositivesPerSlide} FP/slide | {point.Sensitivity:0.000} |");
        Line($"| slide-level AUC (slide score = max lesion probability) | {Number(froc.SlideAuc)} |");
        Line($"| validation patch accuracy (sigmoid > 0.5, last epoch) | {Number(training.History.LastOrDefault()?.ValidationAccuracy)} |");
        Line($"| test slides (with tumour) | {froc.Slides.Count} ({froc.TumourSlides}) |");
        Line($"| tumour regions hit / counted (ITC regions ignored) | {froc.HitRegions} / {froc.CountedRegions} ({froc.IsolatedTumourCellRegions}) |");
        Line($"| false positives | {froc.FalsePositives} |");
        Line($"");

        Line($"## Stages");
        Line($"");
        Line($"| stage | time | result |");
        Line($"|---|---|---|");
        foreach (var stage in result.Stages) Line($"| {stage.Name} | {Format(stage.Elapsed)} | {stage.Summary} |");
        Line($"");

        Line($"## Training");
        Line($"");
        Line($"{training.GlobalStep} Novograd steps (lr {Novograd()} cosine-annealed, batch {o.BatchSize}, BCE with logits, augmentations on) over {training.History.Count} epoch(s); weights `{Relative(root, result.Training.WeightsPath)}`.");
        Line($"");
        Line($"![loss and accuracy]({Relative(root, result.Training.PlotPath)})");
        Line($"");
        Line($"| epoch | steps | train loss | train accuracy | validation accuracy | patches/s |");
        Line($"|---|---|---|---|---|---|");
        foreach (var e in training.History)
            Line($"| {e.Epoch + 1} | {e.Steps} | {e.TrainLoss:0.0000} | {e.TrainAccuracy:0.000} | {Number(e.ValidationAccuracy)} | {e.PatchesPerSecond:0.0} |");
        Line($"");

        Line($"## Test slides");
        Line($"");
        Line($"| slide | tumour | regions hit / counted | ITC regions | false positives | max probability | heatmap |");
        Line($"|---|---|---|---|---|---|---|");
        var scored = result.Scoring.Slides.ToDictionary(s => s.SlideId, StringComparer.OrdinalIgnoreCase);
        var cohortSlides = result.Cohort.Slides.ToDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);
        foreach (var slide in froc.Slides.OrderBy(s => s.SlideId, StringComparer.Ordinal))
        {
            var heatmap = scored.TryGetValue(slide.SlideId, out var progress) && progress.OutputDirectory is { } dir
                ? $"![{slide.SlideId}]({Relative(root, Path.ChangeExtension(InferenceOutputPaths.For(dir, cohortSlides[slide.SlideId].Path).Heatmap, null) + "-truth.png")})"
                : "";
            Line($"| {slide.SlideId} | {(slide.HasTumour ? "yes" : "no")} | {slide.HitRegions} / {slide.CountedRegions} | {slide.Regions.Count(r => r.IsolatedTumourCells)} | {slide.FalsePositives} | {slide.MaxProbability:0.000} | {heatmap} |");
        }
        Line($"");
        Line($"The full evaluation (FROC curve, every region and detection with its verdict, the rules applied): [{Relative(root, result.Evaluation.Markdown)}]({Relative(root, result.Evaluation.Markdown)}).");
        Line($"");
        Line($"![FROC]({Relative(root, result.Evaluation.FrocPng)})");
        Line($"");

        Line($"## Reproduce");
        Line($"");
        Line($"```");
        Line($"opath demo --out {o.OutputDirectory} --slides {o.Slides} --size {o.Width}x{o.Height} --seed {o.Seed} --workers {o.Workers} --epochs {o.Epochs} --batch-size {o.BatchSize}{(o.MaxStepsPerEpoch is { } m ? $" --max-steps {m}" : "")}");
        Line($"```");
        Line($"");
        Line($"The same seeds give the same cohort and the same training order; timings depend on the machine ({Environment.ProcessorCount} cores here).");
        return md.ToString();
    }

    private static string Novograd() => OrleansPathology.Training.Novograd.DefaultLearningRate.ToString(CultureInfo.InvariantCulture);

    private static string Number(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string Format(TimeSpan elapsed) => elapsed.TotalMinutes >= 1
        ? $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds} s"
        : $"{elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s";

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}

/// <summary>demo.json: the run's scores and timings.</summary>
internal sealed record DemoSummary(
    double? Froc,
    IReadOnlyDictionary<string, double> SensitivityAtFalsePositivesPerSlide,
    double? SlideAuc,
    double? ValidationPatchAccuracy,
    int TestSlides,
    int TumourTestSlides,
    int CountedRegions,
    int HitRegions,
    int FalsePositives,
    long TrainingSteps,
    int Workers,
    string Cluster,
    IReadOnlyDictionary<string, double> StageSeconds,
    double TotalSeconds);
