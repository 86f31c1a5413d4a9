using OrleansPathology.Grains;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// What the training fault tests share: three silo processes on a fresh PostgreSQL database and a small run started on
/// them (2 slices a step of 4 patches, BatchNorm frozen, no augmentation, so that an uninterrupted run in this process
/// gives the same weights). Disposing kills the silos.
/// </summary>
internal sealed class TrainingProcessCluster : IAsyncDisposable
{
    private TrainingProcessCluster(ProcessCluster cluster, IReadOnlyList<SiloProcess> silos, IClusterClient client, TrainingDataset dataset, TrainingRunSpec spec)
    {
        (Cluster, Silos, Client, Dataset, Spec) = (cluster, silos, client, dataset, spec);
    }

    public ProcessCluster Cluster { get; }

    public IReadOnlyList<SiloProcess> Silos { get; }

    public IClusterClient Client { get; }

    public TrainingDataset Dataset { get; }

    public TrainingRunSpec Spec { get; }

    public ITrainingCoordinatorGrain Coordinator => Client.GetGrain<ITrainingCoordinatorGrain>(Spec.RunId);

    public static async Task<TrainingProcessCluster> StartAsync(PostgresServerFixture server, TrainingCohortFixture cohort, string directory,
        string runId, int epochs, int stepsPerEpoch, IReadOnlyDictionary<string, string>? settings = null)
    {
        var datasetPath = Path.Combine(directory, "dataset.json");
        var dataset = cohort.Small(training: 12, validation: 2);
        DatasetWriter.WriteClaraJson(dataset, datasetPath);
        var spec = new TrainingRunSpec(runId, datasetPath, Path.Combine(directory, "run"), Path.Combine(directory, "trained.weights"),
            Workers: 2, Epochs: epochs, BatchSize: 4, Seed: 9, BatchNorm: nameof(BatchNormMode.Frozen), MaxStepsPerEpoch: stepsPerEpoch, Augment: false);

        var all = new Dictionary<string, string>
        {
            ["Training__RetryDelay"] = "00:00:01",
            // Three silos on one machine: no health endpoints, which would all want the same port.
            ["Silo__HealthPort"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        var cluster = new ProcessCluster(await server.CreateOrleansDatabaseAsync(runId), Path.Combine(directory, "silos"), all);
        try
        {
            var silos = await cluster.StartSilosAsync($"{runId}-a", $"{runId}-b", $"{runId}-c");
            var client = await cluster.ConnectAsync();
            var started = new TrainingProcessCluster(cluster, silos, client, dataset, spec);
            await started.Coordinator.StartAsync(spec);
            return started;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Polls the run's status until it is no longer running.</summary>
    public async Task<TrainingStatus> WaitForEndAsync(TimeSpan timeout)
    {
        TrainingStatus? final = null;
        await Cluster.WaitUntilAsync(async () =>
        {
            final = await Coordinator.GetStatusAsync();
            return final is { State: not RunState.Running };
        }, $"run {Spec.RunId} to record its end", timeout);
        return final!;
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
