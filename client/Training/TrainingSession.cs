using System.Globalization;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Training;

/// <summary>What a training run should do (<c>opath train</c>'s options; <c>opath demo</c> can fill them itself).</summary>
internal sealed record TrainingSessionOptions
{
    /// <summary>Slices per global batch: trainers that share a step. In the embedded cluster, also the trainers started (<c>cpu:0..K-1</c>).</summary>
    public int Workers { get; init; } = 1;

    public int Epochs { get; init; } = 4;

    public int BatchSize { get; init; } = 32;

    public ulong Seed { get; init; } = 15;

    /// <summary><c>fp32</c> or <c>bf16</c>.</summary>
    public string Precision { get; init; } = "fp32";

    public BatchNormMode BatchNorm { get; init; } = BatchNormMode.PerSubBatch;

    public int? MaxStepsPerEpoch { get; init; }

    public double LearningRate { get; init; } = Novograd.DefaultLearningRate;

    public bool Augment { get; init; } = true;

    /// <summary><c>both</c> (the bundle's RandFlip) or <c>independent</c>.</summary>
    public string Flip { get; init; } = "both";

    /// <summary><c>per-epoch</c> (the bundle's cosine stepping) or <c>per-step</c>.</summary>
    public string Schedule { get; init; } = "per-epoch";

    /// <summary>The run's id; default <c>train-</c> and the output file's name and the time.</summary>
    public string? RunId { get; init; }

    /// <summary>Checkpoints and weight versions (shared storage on a real cluster); default <c>WEIGHTS.run/</c>.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>Where the loss/accuracy PNG goes; default beside the weights, <c>WEIGHTS.png</c>.</summary>
    public string? PlotPath { get; init; }

    /// <summary>The cluster; <see cref="ClusterTarget.Embedded"/> runs one in this process.</summary>
    public ClusterTarget Cluster { get; init; } = ClusterTarget.Embedded;

    /// <summary>How often the run's status is asked for.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the status may stay unreachable (a coordinator's silo died, the cluster reconnects) before giving up.</summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>A finished run: its last status (history, loss curve, communication), the final weights and the plot.</summary>
internal sealed record TrainingOutcome(TrainingStatus Status, string WeightsPath, string PlotPath);

/// <summary>A run ended in failure; the message is the coordinator's error.</summary>
internal sealed class TrainingRunFailedException(string runId, string error) : Exception($"training run {runId} failed: {error}")
{
    public string RunId { get; } = runId;
}

/// <summary>
/// The client side of a training run: builds the spec, opens the cluster (an embedded silo with K CPU trainers unless a
/// cluster is named), starts the coordinator, follows it (polling, which also revives a coordinator whose silo died),
/// reports every status to <see cref="IProgress{T}"/>, and at the end writes the loss/accuracy plot.
/// </summary>
internal static class TrainingSession
{
    /// <summary>Runs <paramref name="datasetPath"/> to the end and returns the outcome; a failed run is a <see cref="TrainingRunFailedException"/>.</summary>
    public static async Task<TrainingOutcome> RunAsync(string datasetPath, string outputWeights, TrainingSessionOptions options,
        IProgress<TrainingStatus>? progress, CancellationToken cancellationToken)
    {
        // A patch folder travels to the silos as the dataset.json it amounts to, written in the run directory they share.
        if (PatchFolderDataset.IsPatchDataset(datasetPath)) datasetPath = WritePatchFolderList(datasetPath, outputWeights, options);
        var spec = BuildSpec(datasetPath, outputWeights, options);
        TrainingRunOptions.Validate(spec);
        // The embedded cluster is this process: a bad dataset is reported before a silo starts.
        if (options.Cluster.Kind == ClusterKind.Embedded) DatasetReader.ReadClaraJson(spec.DatasetPath);
        var embedded = new Dictionary<string, string?>();
        for (var i = 0; i < options.Workers; i++) embedded[$"Workers:Devices:{i}"] = $"cpu:{i.ToString(CultureInfo.InvariantCulture)}";
        await using var session = await ClusterSession.OpenAsync(options.Cluster, cancellationToken, embedded);
        return await FollowAsync(session.Client, spec, options, progress, cancellationToken);
    }

    /// <summary>Starts (or re-attaches to) <paramref name="spec"/> on the cluster <paramref name="grains"/> reach, and follows it to the end.</summary>
    public static async Task<TrainingOutcome> FollowAsync(IGrainFactory grains, TrainingRunSpec spec, TrainingSessionOptions options,
        IProgress<TrainingStatus>? progress, CancellationToken cancellationToken)
    {
        var coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(spec.RunId);
        var status = await coordinator.StartAsync(spec).WaitAsync(cancellationToken);
        progress?.Report(status);
        var lastSeen = DateTime.UtcNow;
        while (status.State is RunState.Running or RunState.Pending)
        {
            await Task.Delay(options.PollInterval, cancellationToken);
            try
            {
                status = await coordinator.GetStatusAsync().WaitAsync(cancellationToken)
                    ?? throw new InvalidOperationException($"training run {spec.RunId} is gone from the cluster (memory storage lost with its silo?)");
                lastSeen = DateTime.UtcNow;
                progress?.Report(status);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not InvalidOperationException)
            {
                // The coordinator's silo died: the next call reactivates it elsewhere, once membership has caught up.
                if (DateTime.UtcNow - lastSeen > options.UnreachableTimeout)
                    throw new TimeoutException($"training run {spec.RunId}: no status for {options.UnreachableTimeout.TotalSeconds:0} s: {ex.Message}", ex);
            }
        }
        if (status.State != RunState.Completed) throw new TrainingRunFailedException(spec.RunId, status.Error ?? status.State.ToString());

        var plot = options.PlotPath is { } p ? Path.GetFullPath(p) : spec.OutputWeights + ".png";
        TrainingPlot.Save(plot, status.StepLosses, Math.Max(1, status.StepsPerEpoch),
            status.History.Select(e => (e.Epoch, e.TrainAccuracy, e.ValidationAccuracy)).ToList(), spec.RunId);
        return new TrainingOutcome(status, spec.OutputWeights, plot);
    }

    private static string WritePatchFolderList(string folder, string outputWeights, TrainingSessionOptions options)
    {
        var (dataset, _) = PatchFolderDataset.Read(folder);
        var runDirectory = Path.GetFullPath(options.RunDirectory ?? Path.GetFullPath(outputWeights) + ".run");
        var json = Path.Combine(runDirectory, "dataset.json");
        DatasetWriter.WriteClaraJson(dataset, json);
        return json;
    }

    /// <summary>The spec for a run: paths made absolute, defaults filled in.</summary>
    public static TrainingRunSpec BuildSpec(string datasetPath, string outputWeights, TrainingSessionOptions options)
    {
        var weights = Path.GetFullPath(outputWeights);
        var runId = options.RunId ?? $"train-{Path.GetFileNameWithoutExtension(weights)}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        return new TrainingRunSpec(runId, Path.GetFullPath(datasetPath), Path.GetFullPath(options.RunDirectory ?? weights + ".run"), weights,
            options.Workers, options.Epochs, options.BatchSize, options.Seed, options.Precision, options.BatchNorm.ToString(),
            options.MaxStepsPerEpoch, options.LearningRate, options.Augment, Flip: options.Flip, Schedule: options.Schedule);
    }
}
