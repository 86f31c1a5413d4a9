using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Client.Demo;
using OrleansPathology.Client.Training;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath demo [--out DIR] [--slides N] [--size WxH] [--seed S] [--workers K] [--epochs E] [--max-steps M] [--batch-size B]
/// [--cluster ...]</c>: the main job end to end (synthesise, train data-parallel, score on the cluster, FROC), with
/// progress throughout and one report folder. By default on a cluster started in this process.
/// </summary>
internal static class DemoCommand
{
    public const string DefaultOutput = "out/demo";

    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = $"Report folder (cohort, model, results, evaluation, REPORT.md). Default ./{DefaultOutput}. Must be shared storage for an external cluster." };
        var slides = new Option<string?>("--slides") { Description = "Slides to synthesise (half held out for testing). Default 8." };
        var size = new Option<string?>("--size") { Description = "Level-0 size of each slide, WIDTHxHEIGHT. Default 10000x10000." };
        var seed = new Option<string?>("--seed") { Description = "Seed of the cohort. Default 11." };
        var workers = new Option<string?>("--workers") { Description = "Data-parallel trainers. Default 2." };
        var epochs = new Option<string?>("--epochs") { Description = "Training epochs. Default 4." };
        var maxSteps = new Option<string?>("--max-steps") { Description = "Caps the steps of each epoch (a quicker, weaker model)." };
        var batch = new Option<string?>("--batch-size") { Description = "Patches per optimizer step. Default 16." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (progress goes to stderr)." };
        var cluster = new ClusterCommandLine();
        var command = new Command("demo", "Run the main job end to end: a synthetic cohort, data-parallel training, scoring on the cluster, CAMELYON16 FROC; one report folder.")
        {
            output, slides, size, seed, workers, epochs, maxSteps, batch, json,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "demo", cluster.Secret(parse), async () =>
        {
            var defaults = new DemoOptions { OutputDirectory = DefaultOutput };
            var (width, height) = parse.GetValue(size) is { } s ? SynthCommand.ParseSize(s) : (defaults.Width, defaults.Height);
            var options = defaults with
            {
                OutputDirectory = parse.GetValue(output) ?? DefaultOutput,
                Slides = Int(parse.GetValue(slides), "--slides") ?? defaults.Slides,
                Width = width,
                Height = height,
                Seed = parse.GetValue(seed) is { } text
                    ? ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"--seed must be a whole number (got '{text}')")
                    : defaults.Seed,
                Workers = Int(parse.GetValue(workers), "--workers") ?? defaults.Workers,
                Epochs = Int(parse.GetValue(epochs), "--epochs") ?? defaults.Epochs,
                MaxStepsPerEpoch = Int(parse.GetValue(maxSteps), "--max-steps"),
                BatchSize = Int(parse.GetValue(batch), "--batch-size") ?? defaults.BatchSize,
                Cluster = cluster.Target(parse, ClusterTarget.Embedded),
            };

            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            DemoResult result;
            try
            {
                result = await DemoRunner.RunAsync(options, parse.GetValue(json) ? stderr : stdout, token);
            }
            catch (Exception ex) when (ex is DatasetException or TrainingRunFailedException or InvalidOperationException)
            {
                stderr.WriteLine($"opath demo: {ex.Message}");
                return ExitCodes.Failure;
            }
            var (markdown, _) = DemoReport.Write(result);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    frocScore = result.Froc.Score,
                    hitRegions = result.Froc.HitRegions,
                    countedRegions = result.Froc.CountedRegions,
                    falsePositives = result.Froc.FalsePositives,
                    testSlides = result.Froc.Slides.Count,
                    slideAuc = result.Froc.SlideAuc,
                    validationAccuracy = result.Training.Status.History.LastOrDefault()?.ValidationAccuracy,
                    report = markdown,
                    seconds = result.Elapsed.TotalSeconds,
                }, CliJson.Options));
                return ExitCodes.Success;
            }
            stdout.WriteLine();
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FROC {result.Froc.Score:0.000} ({result.Froc.HitRegions} of {result.Froc.CountedRegions} regions hit, {result.Froc.FalsePositives} false positive(s) on {result.Froc.Slides.Count} test slides), slide AUC {result.Froc.SlideAuc:0.000}, validation patch accuracy {result.Training.Status.History.LastOrDefault()?.ValidationAccuracy:0.000}"));
            stdout.WriteLine($"report: {markdown}");
            stdout.WriteLine($"done in {Throughput.Format(result.Elapsed)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int? Int(string? text, string name) => text is null ? null : ClusterCommandLine.ParsePositiveInt(text, name);
}
