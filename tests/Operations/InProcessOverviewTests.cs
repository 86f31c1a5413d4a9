using Orleans.TestingHost;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Training;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Training;
using OrleansPathology.Tests.Workers;
using OrleansPathology.Training;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansPathology.Tests.Operations;

/// <summary>
/// The overview on an in-process silo with a CPU worker and trainer: a real (tiny) data-parallel run, listed while it
/// runs and after it ended (the registry keeps ended runs for listing) with its epoch's loss and accuracy, as
/// <c>opath training list|status</c> print them; and a worker's last error.
/// </summary>
public sealed class InProcessOverviewTests(TrainingCohortFixture cohort) : IClassFixture<TrainingCohortFixture>, IAsyncLifetime
{
    private readonly string _dir = TestData.NewTempDir("opath-train-view");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            // No watch during a test: a drained worker stays drained until the test starts it.
            silo.AddInferenceWorkers(o => (o.SiloName, o.Devices, o.WatchInterval) = ("view-node", ["cpu:0"], TimeSpan.FromHours(1)));
            silo.AddTrainers();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_worker_s_last_error_is_in_the_overview()
    {
        // Weights a submit accepts, whose pinned copy then changes before the worker loads it: every batch fails on the
        // worker, which is the error the overview must show. The worker is drained until the copy has changed, so it
        // cannot lease a batch and load the good copy first (it waits a second at most for work, not the test's pace).
        var worker = _cluster.Client.GetGrain<IInferenceWorkerGrain>("view-node/cpu:0");
        await worker.DrainAsync();
        var weights = Path.Combine(_dir, "view.weights");
        using (var model = new OrleansPathology.Model.FcnResNet18()) OrleansPathology.Model.ModelWeights.Save(model, weights, new OrleansPathology.Model.ModelCard());
        var spec = new CohortSpec("bad-weights", [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], weights, Path.Combine(_dir, "out"), Stride: 128);
        await _cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var pinned = OrleansPathology.Model.PinnedWeights.PathFor(spec.OutputRoot, OrleansPathology.Model.PinnedWeights.Digest(File.ReadAllBytes(weights)));
        var bytes = File.ReadAllBytes(pinned);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(pinned, bytes);
        await worker.StartAsync();
        var overview = _cluster.Client.GetGrain<IClusterOverviewGrain>(ClusterOverviewKey.Key);

        WorkerStatus? status = null;
        await WorkerClusterFixture.WaitUntilAsync(async () =>
        {
            status = Assert.Single((await overview.GetOverviewAsync()).Workers);
            return status.LastError is not null;
        }, "a failed batch", seconds: 120);

        Assert.Contains("bad-weights/cmu batch ", status!.LastError);
        Assert.Contains(pinned, status.LastError);
        Assert.True(status.Pulling);
    }

    [Fact]
    public async Task A_run_is_listed_while_it_runs_and_after_it_ended_with_its_loss_and_accuracy()
    {
        var dataset = Path.Combine(_dir, "dataset.json");
        DatasetWriter.WriteClaraJson(cohort.Small(training: 4, validation: 2), dataset);
        var spec = new TrainingRunSpec("view-run", dataset, Path.Combine(_dir, "run"), Path.Combine(_dir, "view.weights"),
            Workers: 1, Epochs: 1, BatchSize: 4, Seed: 3, MaxStepsPerEpoch: 1, ValidationBatchSize: 2);
        var overview = _cluster.Client.GetGrain<IClusterOverviewGrain>(ClusterOverviewKey.Key);

        await _cluster.Client.GetGrain<ITrainingCoordinatorGrain>(spec.RunId).StartAsync(spec);
        var running = Assert.Single(await overview.ListTrainingAsync());
        Assert.Equal(("view-run", 1), (running.RunId, running.Epochs));

        TrainingSummary? ended = null;
        await WorkerClusterFixture.WaitUntilAsync(async () =>
        {
            ended = (await overview.ListTrainingAsync()).SingleOrDefault();
            return ended is { State: not RunState.Running };
        }, "the run to end", seconds: 300);

        Assert.Equal(RunState.Completed, ended!.State);
        Assert.NotNull(ended.LastLoss);
        Assert.InRange(ended.ValidationAccuracy!.Value, 0, 1);
        Assert.Equal(1, ended.Trainers);
        // Ended runs leave the registry's active list (revival no longer calls them) but stay listed.
        var registry = _cluster.Client.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key);
        Assert.Empty(await registry.ActiveRunsAsync());
        Assert.Equal(["view-run"], await registry.RecentRunsAsync(10));
        var cluster = await overview.GetOverviewAsync();
        Assert.Equal("view-run", Assert.Single(cluster.Training).RunId);
        Assert.Equal("view-node/cpu:0", Assert.Single(cluster.Workers).Worker);

        using var list = new StringWriter();
        OperatorReport.WriteTraining(list, await overview.ListTrainingAsync());
        Assert.Matches(@"view-run\s+Completed\s+1/1\s+1/1\s+\d+\.\d{4}", list.ToString());
        using var one = new StringWriter();
        OperatorReport.WriteTrainingStatus(one, (await _cluster.Client.GetGrain<ITrainingCoordinatorGrain>(spec.RunId).GetStatusAsync())!);
        Assert.StartsWith("training run view-run: Completed, epoch 1/1", one.ToString());
        Assert.Contains("trainers: view-node/cpu:0", one.ToString());
        Assert.Matches(@"EPOCH\s+STEPS\s+TRAIN LOSS", one.ToString());
    }
}
