using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Client.Training;
using OrleansPathology.Grains;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath train DATASET.json --epochs N --workers K --out WEIGHTS [--precision fp32|bf16] [--batch-size B] [--seed S]
/// [--max-steps M] [--lr LR] [--batchnorm train|frozen] [--no-augment] [--flip both|independent] [--schedule per-epoch|per-step] [--id RUN] [--run-dir DIR] [--plot PNG]
/// [--cluster ...]</c>: data-parallel training on a cluster (an embedded one with K CPU trainers by default), with a
/// progress line per step and epoch, a summary with the communication cost per step, and a loss/accuracy PNG.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var dataset = new Argument<string?>("dataset") { Description = "Clara-style dataset.json (training and validation patch lists), or a patch folder of PNGs (class subfolders tumor/ normal/ under optional train/ valid/, or labels.csv with file,label[,split]); readable by every silo." };
        var epochs = new Option<string?>("--epochs") { Description = "Epochs. Default 4." };
        var workers = new Option<string?>("--workers") { Description = "Slices per global batch (trainers sharing each step). Default 1." };
        var output = new Option<string?>("--out") { Required = true, Description = "Final weights file; the plot goes to OUT.png and checkpoints to OUT.run/ unless --plot/--run-dir say otherwise." };
        var precision = new Option<string?>("--precision") { Description = "fp32 or bf16 compute on the trainers (master weights stay fp32). Default fp32." };
        var batch = new Option<string?>("--batch-size") { Description = "Global batch: patches per optimizer step. Default 32." };
        var seed = new Option<string?>("--seed") { Description = "Seed of the initial weights, the epoch order and the augmentations. Default 15." };
        var maxSteps = new Option<string?>("--max-steps") { Description = "Caps the steps of each epoch (short runs)." };
        var rate = new Option<string?>("--lr") { Description = "Novograd's learning rate (cosine-annealed over the run). Default 0.001." };
        var batchNorm = new Option<string?>("--batchnorm") { Description = "train (per-slice statistics, as the bundle trains) or frozen (exactly equal for any worker count). Default train." };
        var flip = new Option<string>("--flip") { Description = "both (the bundle's RandFlip: both axes at once) or independent (left-right and up-down drawn apart).", DefaultValueFactory = _ => "both" };
        flip.AcceptOnlyFromAmong("both", "independent");
        var schedule = new Option<string>("--schedule") { Description = "Cosine learning-rate steps: per-epoch (the bundle's) or per-step.", DefaultValueFactory = _ => "per-epoch" };
        schedule.AcceptOnlyFromAmong("per-epoch", "per-step");
        var noAugment = new Option<bool>("--no-augment") { Description = "Train on the patches as read (no colour jitter, flips, rotations or zoom)." };
        var id = new Option<string?>("--id") { Description = "Run id (re-attach to a run on an external cluster by giving the same id and options). Default from --out and the time." };
        var runDir = new Option<string?>("--run-dir") { Description = "Checkpoints and weight versions; shared storage on a real cluster. Default OUT.run/." };
        var plot = new Option<string?>("--plot") { Description = "Loss/accuracy PNG. Default OUT.png." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (progress goes to stderr)." };
        var cluster = new ClusterCommandLine();
        var command = new Command("train", "Train the tumour-patch model with synchronous data parallelism on a cluster (by default one started in this process).")
        {
            dataset, epochs, workers, output, precision, batch, seed, maxSteps, rate, batchNorm, noAugment, flip, schedule, id, runDir, plot, json,
        };
        cluster.AddTo(command);
        command.SetAction((parse, token) => ClusterCommandLine.RunAsync(parse, "train", cluster.Secret(parse), async () =>
        {
            var path = parse.GetValue(dataset);
            if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("a dataset file is required: opath train DATASET.json --out WEIGHTS");
            var weights = parse.GetValue(output) ?? throw new ArgumentException("--out WEIGHTS is required");
            var options = new TrainingSessionOptions
            {
                Workers = Int(parse.GetValue(workers), "--workers") ?? 1,
                Epochs = Int(parse.GetValue(epochs), "--epochs") ?? 4,
                BatchSize = Int(parse.GetValue(batch), "--batch-size") ?? 32,
                Seed = parse.GetValue(seed) is { } s
                    ? ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"--seed must be a whole number (got '{s}')")
                    : 15,
                Precision = parse.GetValue(precision) is { } p ? ClusterCommandLine.ParsePrecision(p) : "fp32",
                BatchNorm = BatchNormModes.Parse(parse.GetValue(batchNorm)),
                MaxStepsPerEpoch = Int(parse.GetValue(maxSteps), "--max-steps"),
                LearningRate = parse.GetValue(rate) is { } r
                    ? double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var lr) && lr > 0 ? lr : throw new ArgumentException($"--lr must be a positive number (got '{r}')")
                    : Novograd.DefaultLearningRate,
                Augment = !parse.GetValue(noAugment),
                Flip = parse.GetValue(flip)!,
                Schedule = parse.GetValue(schedule)!,
                RunId = parse.GetValue(id),
                RunDirectory = parse.GetValue(runDir),
                PlotPath = parse.GetValue(plot),
                Cluster = cluster.Target(parse, ClusterTarget.Embedded),
            };

            var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var asJson = parse.GetValue(json);
            var progress = new TrainingProgressWriter(asJson ? stderr : stdout);
            TrainingOutcome outcome;
            try
            {
                outcome = await TrainingSession.RunAsync(path, weights, options, progress, token);
            }
            catch (Exception ex) when (ex is DatasetException or TrainingRunFailedException or TensorArchiveException)
            {
                stderr.WriteLine($"opath train: {ex.Message}");
                return ExitCodes.Failure;
            }
            if (asJson)
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    runId = outcome.Status.RunId,
                    weights = outcome.WeightsPath,
                    plot = outcome.PlotPath,
                    epochs = outcome.Status.History,
                }, CliJson.Options));
                return ExitCodes.Success;
            }
            progress.WriteSummary(outcome);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int? Int(string? text, string name) => text is null ? null : ClusterCommandLine.ParsePositiveInt(text, name);
}
