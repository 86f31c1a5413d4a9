using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Training;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Model;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Workers;
using OrleansPathology.Training;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// Synchronous data parallelism on a real three-silo cluster (in-process test host, one trainer per silo): with BatchNorm
/// frozen, a run whose global batches are cut into three slices computed on three silos reaches the weights of the same run
/// computed in one slice by one trainer, within float rounding; and the communication per step is reported.
/// </summary>
public sealed class DistributedTrainingClusterTests(TrainingCohortFixture cohort, ITestOutputHelper output) : IClassFixture<TrainingCohortFixture>, IAsyncLifetime
{
    private static readonly string[] Nodes = ["train-a", "train-b", "train-c"];

    private readonly string _dir = TestData.NewTempDir("opath-train-cluster");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            silo.AddInferenceWorkers(o =>
            {
                o.SiloName = Nodes[int.Parse(options.SiloName[(options.SiloName.LastIndexOf('_') + 1)..])];
                o.Devices = ["cpu:0"];
                o.PollInterval = TimeSpan.FromSeconds(5);
            });
            silo.AddTrainers(o => o.RetryDelay = TimeSpan.FromMilliseconds(200));
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        await WorkerClusterFixture.WaitUntilAsync(() => _cluster.Silos.All(viewer =>
        {
            var cache = _cluster.GetSiloServiceProvider(viewer.SiloAddress).GetRequiredService<ISiloMetadataCache>();
            return _cluster.Silos.All(s => cache.GetSiloMetadata(s.SiloAddress).Metadata.ContainsKey(SiloMetadataKeys.SiloName));
        }), "every silo's metadata cache to know every silo", seconds: 60);
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Three_trainers_on_three_silos_reach_the_weights_of_one_trainer_with_frozen_batchnorm()
    {
        var datasetPath = Path.Combine(_dir, "dataset.json");
        DatasetWriter.WriteClaraJson(cohort.Small(training: 12, validation: 4), datasetPath);

        var three = await RunAsync(datasetPath, "three", workers: 3);
        var one = await RunAsync(datasetPath, "one", workers: 1);

        // Three slices went to three different silos' trainers on every step; one slice to one trainer.
        Assert.Equal(Nodes.Select(n => $"{n}/cpu:0"), three.Trainers);
        Assert.All(three.RecentSteps, s => Assert.Equal((3, 3), (s.Slices, s.Trainers)));
        Assert.All(one.RecentSteps, s => Assert.Equal((1, 1), (s.Slices, s.Trainers)));
        foreach (var (name, status) in new[] { ("3 workers", three), ("1 worker", one) })
        {
            foreach (var s in status.RecentSteps)
                output.WriteLine($"{name}: {s.GradientBytes / 1e6:0.0} MB gradients, {s.WeightBytesWritten / 1e6:0.0} MB weights written, {s.WeightBytesRead / 1e6:0.0} MB read; step {s.StepSeconds:0.00} s (publish {s.WriteWeightsSeconds:0.00} s, gather {s.GatherSeconds:0.00} s, slowest trainer {s.SlowestComputeSeconds:0.00} s, decode+average+step {s.DecodeAverageApplySeconds:0.00} s)");
        }
        // Every slice's gradient set (~45 MB) crosses the cluster once; the weights are written once per step.
        Assert.True(three.RecentSteps[0].GradientBytes > 3 * 44_000_000, $"gradient bytes {three.RecentSteps[0].GradientBytes}");

        // The same curves and, within float rounding, the same weights.
        Assert.Equal(one.StepLosses.Count, three.StepLosses.Count);
        for (var i = 0; i < one.StepLosses.Count; i++) Assert.Equal(one.StepLosses[i], three.StepLosses[i], 4);
        Assert.Equal(one.History.Single().ValidationAccuracy, three.History.Single().ValidationAccuracy);
        var (a, _) = ModelWeights.Load(three.OutputWeights);
        var (b, _) = ModelWeights.Load(one.OutputWeights);
        using (a)
        using (b)
        {
            var right = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            var worst = a.named_parameters().Max(p => (p.parameter - right[p.name]).abs().max().item<float>());
            output.WriteLine($"largest weight difference, 3 workers vs 1: {worst:g3}");
            // Novograd moves each weight by about lr = 1e-3 a step; rounding differences of the averaged gradients stay far below.
            Assert.True(worst < 2e-5, $"weights differ by up to {worst}");
            var moved = a.named_parameters().Max(p => p.parameter.abs().max().item<float>());
            Assert.True(moved > 0);
        }
    }

    private async Task<TrainingStatus> RunAsync(string datasetPath, string name, int workers)
    {
        var spec = new TrainingRunSpec($"equivalence-{name}", datasetPath, Path.Combine(_dir, name), Path.Combine(_dir, $"{name}.weights"),
            Workers: workers, Epochs: 1, BatchSize: 6, Seed: 5, BatchNorm: nameof(BatchNormMode.Frozen), MaxStepsPerEpoch: 2);
        var coordinator = _cluster.Client.GetGrain<ITrainingCoordinatorGrain>(spec.RunId);
        var status = await coordinator.StartAsync(spec);
        await WorkerClusterFixture.WaitUntilAsync(async () =>
        {
            status = (await coordinator.GetStatusAsync())!;
            return status.State != RunState.Running;
        }, $"training run {spec.RunId} to finish", seconds: 300);
        Assert.True(status.State == RunState.Completed, $"run {spec.RunId} ended {status.State}: {status.Error}");
        Assert.Equal(2, status.GlobalStep);
        Assert.True(File.Exists(status.OutputWeights));
        var epoch = Assert.Single(status.History);
        Assert.NotNull(epoch.ValidationAccuracy);
        Assert.True(File.Exists(Path.ChangeExtension(epoch.Checkpoint, null) + TrainingCheckpoint.StateSuffix));
        return status;
    }
}
