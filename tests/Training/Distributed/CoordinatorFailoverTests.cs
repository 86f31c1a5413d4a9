using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;
using OrleansPathology.Training;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// Real silo processes on PostgreSQL: the silo hosting a run's coordinator SIGKILLed after the first epoch's checkpoint.
/// Nobody calls the coordinator afterwards; the silos' revival pass (the training registry's running runs, called every
/// few seconds) reactivates it on a survivor, which resumes from the checkpoint, and the run ends at the weights of the
/// same run computed uninterrupted in this process.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CoordinatorFailoverTests(PostgresServerFixture server, TrainingCohortFixture cohort, ITestOutputHelper output)
    : IClassFixture<TrainingCohortFixture>, IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dir = TestData.NewTempDir("opath-train-failover");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_coordinators_silo_killed_after_a_checkpoint_is_revived_by_the_cluster_and_ends_at_the_uninterrupted_weights()
    {
        // Revival passes every 2 s (15 s by default), so the test waits mostly for membership to declare the silo dead.
        await using var run = await TrainingProcessCluster.StartAsync(server, cohort, _dir, "kill-coordinator", epochs: 2, stepsPerEpoch: 2,
            new Dictionary<string, string> { ["Training__ReviveInterval"] = "00:00:02" });
        var (cluster, silos, client, coordinator, spec) = (run.Cluster, run.Silos, run.Client, run.Coordinator, run.Spec);
        var registry = client.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key);
        Assert.Contains(spec.RunId, await registry.ActiveRunsAsync());

        // Wait point: the first epoch's checkpoint is recorded and the second epoch is running; then kill the silo that
        // hosts the coordinator (its trainer, with its slice in flight, goes too).
        var management = client.GetGrain<IManagementGrain>(0);
        SiloProcess? victim = null;
        TrainingStatus? before = null;
        await cluster.WaitUntilAsync(async () =>
        {
            before = await coordinator.GetStatusAsync();
            if (before is null || before.History.Count < 1) return false;
            Assert.True(before is { State: RunState.Running, History.Count: 1 }, $"the run got past its first epoch ({before.State}, {before.History.Count} epochs) before the kill");
            var host = await management.GetActivationAddress(coordinator);
            victim = silos.FirstOrDefault(s => host is not null && s.SiloPort == host.Endpoint.Port);
            return victim is not null;
        }, "the first epoch's checkpoint and the coordinator's silo", RunTimeout);
        victim!.Kill();
        output.WriteLine($"killed {victim.Name} (pid {victim.ProcessId}) at global step {before!.GlobalStep}, checkpoint {before.LastCheckpoint}");

        // Wait point, through the file system only: no call reaches the coordinator until the final weights exist, so the
        // cluster itself revived the run.
        await cluster.WaitUntilAsync(() => Task.FromResult(File.Exists(spec.OutputWeights)), $"the final weights {spec.OutputWeights}", RunTimeout);

        var final = await run.WaitForEndAsync(TimeSpan.FromMinutes(1));
        Assert.True(final.State == RunState.Completed, $"the run ended {final.State}: {final.Error}\n{cluster.Logs()}");
        Assert.True(final.Resumes >= 1, $"the run was never resumed ({final.Resumes})");
        Assert.Equal((4, 2, 4), (final.GlobalStep, final.History.Count, final.StepLosses.Count));
        Assert.Equal(before.History[0], final.History[0]);
        Assert.DoesNotContain(victim.WorkerKey, final.Trainers);
        // A survivor took the run up again from the checkpoint of epoch 1, not from the start.
        var resumed = silos.Where(s => s != victim).SelectMany(s => s.LinesContaining($"Training run {spec.RunId} resumes after 1 completed epoch(s)")).ToList();
        Assert.True(resumed.Count >= 1, $"no surviving silo resumed {spec.RunId} from its checkpoint\n{cluster.Logs()}");
        foreach (var line in resumed) output.WriteLine(line);
        // Its end recorded, the run leaves the registry.
        await cluster.WaitUntilAsync(async () => !(await registry.ActiveRunsAsync()).Contains(spec.RunId),
            $"the training registry to forget {spec.RunId}", TimeSpan.FromMinutes(1));

        using var reference = UninterruptedRun.Train(run.Dataset, spec);
        var worst = UninterruptedRun.LargestDifference(final.OutputWeights, reference);
        output.WriteLine($"largest difference from the uninterrupted run: {worst:g3}");
        Assert.True(worst < 2e-5, $"weights differ by up to {worst}");
    }
}
