using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Workers;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// Issue 11, case 10: one transient failure of the state write at an epoch's end (a database hiccup) is retried, not
/// the end of the run. One silo, one trainer, its storage failing on purpose.
/// </summary>
public sealed class TrainingStateWriteTests(TrainingCohortFixture cohort) : IClassFixture<TrainingCohortFixture>, IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-train-write");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_state_write_failing_once_at_an_epochs_end_is_retried_and_the_run_completes()
    {
        var faults = new StorageFaults();
        faults.FailWrites<TrainingRunState>((_, s) => s.State == RunState.Running && s.CompletedEpochs == 1, times: 1);
        await using var cluster = await FaultyCluster.StartAsync(faults, _ => { }, configure: silo =>
        {
            silo.AddInferenceWorkers(o => (o.SiloName, o.Devices, o.PollInterval) = ("train-write", ["cpu:0"], TimeSpan.FromSeconds(5)));
            silo.AddTrainers(o => o.RetryDelay = TimeSpan.FromMilliseconds(200));
        });
        var datasetPath = Path.Combine(_dir, "dataset.json");
        DatasetWriter.WriteClaraJson(cohort.Small(training: 4, validation: 2), datasetPath);
        var spec = new TrainingRunSpec("epoch-write", datasetPath, Path.Combine(_dir, "run"), Path.Combine(_dir, "out.weights"),
            Workers: 1, Epochs: 2, BatchSize: 2, Seed: 5, BatchNorm: nameof(BatchNormMode.Frozen), MaxStepsPerEpoch: 1);
        var coordinator = cluster.Client.GetGrain<ITrainingCoordinatorGrain>(spec.RunId);

        var status = await coordinator.StartAsync(spec);
        await WorkerClusterFixture.WaitUntilAsync(async () => (status = (await coordinator.GetStatusAsync())!).State != RunState.Running,
            $"training run {spec.RunId} to finish", seconds: 300);

        Assert.Equal(1, faults.Injected);
        Assert.True(status.State == RunState.Completed, $"the run ended {status.State}: {status.Error}");
        Assert.Equal(2, status.History.Count);
        Assert.True(File.Exists(spec.OutputWeights));
    }
}
