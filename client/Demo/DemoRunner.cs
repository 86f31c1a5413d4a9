using OrleansPathology.Slides;
using OrleansPathology.Imaging;
using System.Diagnostics;
using System.Globalization;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Client.Training;
using OrleansPathology.Evaluation;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Inference;
using OrleansPathology.Synthesis;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Demo;

/// <summary>How long one stage of the demo took.</summary>
internal sealed record DemoStage(string Name, TimeSpan Elapsed, string Summary);

/// <summary>Everything the demo measured, for its report.</summary>
internal sealed record DemoResult(
    DemoOptions Options,
    CohortManifest Cohort,
    TrainingOutcome Training,
    CohortStatus Scoring,
    FrocResult Froc,
    EvaluationReportPaths Evaluation,
    IReadOnlyList<DemoStage> Stages,
    TimeSpan Elapsed);

/// <summary>
/// The main job, end to end on one cluster: synthesise a cohort with known truth, train the model on its training slides
/// with data-parallel trainer grains, score its held-out test slides on the inference workers, and evaluate the lesions
/// by the CAMELYON16 FROC protocol. The same cluster session serves training and scoring, so an embedded run is one
/// process and an external one exercises every silo. Stages print their progress to <c>output</c> as they go.
/// </summary>
internal static class DemoRunner
{
    public const string CohortFolder = "cohort";
    public const string ModelFolder = "model";
    public const string ResultsFolder = "results";
    public const string EvaluationFolder = "evaluation";

    public static async Task<DemoResult> RunAsync(DemoOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(root);
        var total = Stopwatch.StartNew();
        var stages = new List<DemoStage>();
        var runId = $"demo-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";

        var cohort = await StageAsync(output, stages, "cohort", $"synthesising {options.Slides} slides of {options.Width}x{options.Height} into {Path.Combine(root, CohortFolder)}",
            () => Task.Run(() => Synthesise(options, Path.Combine(root, CohortFolder), output, cancellationToken), cancellationToken),
            m => $"{m.Slides.Count} slides, {m.Slides.Count(s => s.HasTumour)} with tumour, {TestSlides(m).Count} held out for testing");

        var embedded = new Dictionary<string, string?>();
        for (var i = 0; i < options.Workers; i++) embedded[$"Workers:Devices:{i}"] = $"cpu:{i.ToString(CultureInfo.InvariantCulture)}";
        output.WriteLine($"opening the cluster: {options.Cluster}");
        await using var session = await ClusterSession.OpenAsync(options.Cluster, cancellationToken, embedded);

        var training = await StageAsync(output, stages, "train", $"training on {Path.Combine(root, CohortFolder, PatchDataset.FileName)} with {options.Workers} data-parallel trainer(s)",
            () => TrainAsync(options, root, runId, session, output, cancellationToken),
            t => string.Create(CultureInfo.InvariantCulture,
                $"{t.Status.GlobalStep} steps, validation patch accuracy {t.Status.History.LastOrDefault()?.ValidationAccuracy:0.000}"));

        var scoring = await StageAsync(output, stages, "score", $"scoring the {TestSlides(cohort).Count} test slides on the cluster",
            () => ScoreAsync(options, root, runId, cohort, training.WeightsPath, session, output, cancellationToken),
            s => $"{s.Slides.Count(x => x.State == RunState.Completed)} of {s.Slides.Count} slides completed, {s.Slides.Sum(x => x.CellsTotal):N0} cells, {s.Slides.Sum(x => x.Lesions)} lesion(s)");

        var (froc, evaluation) = await StageAsync(output, stages, "evaluate", "CAMELYON16 FROC on the test slides",
            () => Task.Run(() => Evaluate(root, cohort, scoring), cancellationToken),
            r => string.Create(CultureInfo.InvariantCulture, $"FROC {r.Froc.Score:0.000}, slide AUC {r.Froc.SlideAuc:0.000}"));

        return new DemoResult(options, cohort, training, scoring, froc, evaluation, stages, total.Elapsed);
    }

    /// <summary>The test split of the cohort: the slides training never saw.</summary>
    public static IReadOnlyList<CohortSlide> TestSlides(CohortManifest cohort) => cohort.Slides.Where(s => s.Split == CohortSplits.Test).ToList();

    private static CohortManifest Synthesise(DemoOptions options, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        var synthesis = new SynthesisOptions
        {
            OutputDirectory = directory,
            Slides = options.Slides,
            Width = options.Width,
            Height = options.Height,
            Seed = options.Seed,
            TestFraction = options.TestFraction,
            PatchesPerSlide = options.PatchesPerSlide,
        };
        synthesis.Validate();
        var progress = new InlineProgress<SynthesisProgress>(p =>
        {
            if (p.SlideDone) output.WriteLine($"  [{p.SlideIndex + 1}/{p.SlideCount}] {p.SlideId} ({(p.HasTumour ? "tumour" : "normal")}) written");
        });
        return CohortSynthesizer.Run(synthesis, progress, cancellationToken);
    }

    private static Task<TrainingOutcome> TrainAsync(DemoOptions options, string root, string runId, ClusterSession session, TextWriter output,
        CancellationToken cancellationToken)
    {
        var model = Path.Combine(root, ModelFolder);
        var training = new TrainingSessionOptions
        {
            Workers = options.Workers,
            Epochs = options.Epochs,
            BatchSize = options.BatchSize,
            Seed = options.TrainingSeed,
            MaxStepsPerEpoch = options.MaxStepsPerEpoch,
            RunId = runId,
            RunDirectory = Path.Combine(model, "run"),
            PlotPath = Path.Combine(model, "training.png"),
            Cluster = options.Cluster,
        };
        var spec = TrainingSession.BuildSpec(Path.Combine(root, CohortFolder, PatchDataset.FileName), Path.Combine(model, "demo.weights"), training);
        TrainingRunOptions.Validate(spec);
        return TrainingSession.FollowAsync(session.Client, spec, training, new TrainingProgressWriter(output), cancellationToken);
    }

    private static async Task<CohortStatus> ScoreAsync(DemoOptions options, string root, string runId, CohortManifest cohort, string weights,
        ClusterSession session, TextWriter output, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(root, CohortFolder);
        var slides = TestSlides(cohort)
            .Select(s => new SlideSpec(s.Id, Path.GetFullPath(Path.Combine(directory, s.Path)), Path.GetFullPath(Path.Combine(directory, s.TissueMask))))
            .ToList();
        var spec = new CohortSpec(runId, slides, weights, Path.Combine(root, ResultsFolder), options.Stride, ScoringMode.Dense);
        var grain = session.Cohort(spec.CohortId);
        var status = await grain.SubmitAsync(spec).WaitAsync(cancellationToken);
        status = await new CohortWatcher(grain, output, CohortWatcher.IsTerminal(output)).WatchAsync(status, cancellationToken);
        var failed = status.Slides.Where(s => s.State != RunState.Completed).ToList();
        if (failed.Count > 0)
            throw new InvalidOperationException($"scoring failed on {string.Join(", ", failed.Select(s => $"{s.SlideId} ({s.State}: {s.Error})"))}");
        return status;
    }

    private static (FrocResult Froc, EvaluationReportPaths Paths) Evaluate(string root, CohortManifest cohort, CohortStatus scoring)
    {
        var tests = TestSlides(cohort).Select(s => s.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var all = TruthSet.Load(Path.Combine(root, CohortFolder, CohortManifest.FileName));
        // Only the held-out slides are scored; the training slides' truth would be listed as "not evaluated".
        var truth = new TruthSet(all.Slides.Where(s => tests.Contains(s.SlideId)), all.Source);
        var paths = TestSlides(cohort).ToDictionary(s => s.Id, s => s.Path, StringComparer.OrdinalIgnoreCase);
        var predictions = scoring.Slides.Select(s =>
        {
            var csv = InferenceOutputPaths.For(s.OutputDirectory!, paths[s.SlideId]).Lesions;
            return new SlidePredictions(s.SlideId, LesionDetector.ReadCsv(csv), csv);
        }).ToList();
        var froc = FrocEvaluator.Evaluate(predictions, truth);
        // The truth is known now: each test slide's heatmap again, with the tumour outline (the report shows these).
        foreach (var scored in scoring.Slides)
        {
            var slide = cohort.Slides.Single(s => string.Equals(s.Id, scored.SlideId, StringComparison.OrdinalIgnoreCase));
            using var opened = Slide.Open(Path.Combine(root, CohortFolder, slide.Path));
            InferenceOutputs.WriteHeatmapWithTruth(scored.OutputDirectory!, opened, SlideMask.Load(Path.Combine(root, CohortFolder, slide.TruthMask)));
        }
        return (froc, EvaluationReport.Write(Path.Combine(root, EvaluationFolder), froc));
    }

    private static async Task<T> StageAsync<T>(TextWriter output, List<DemoStage> stages, string name, string what, Func<Task<T>> run, Func<T, string> summary)
    {
        output.WriteLine();
        output.WriteLine($"== {name}: {what}");
        var clock = Stopwatch.StartNew();
        var result = await run();
        var line = summary(result);
        stages.Add(new DemoStage(name, clock.Elapsed, line));
        output.WriteLine($"== {name} done in {Throughput.Format(clock.Elapsed)}: {line}");
        return result;
    }

    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
