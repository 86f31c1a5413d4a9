using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;
using OrleansPathology.Training;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// Real silo processes on PostgreSQL (clustering and the coordinator's state there), one silo SIGKILLed in the middle of
/// a run. A trainer's silo: the coordinator re-issues the lost slice to a live trainer. The coordinator's own silo, after
/// the first epoch's checkpoint: nobody calls the coordinator afterwards; the silos' revival pass (the training
/// registry's running runs, called every few seconds) reactivates it on a survivor, which resumes from the checkpoint.
/// Either way, with BatchNorm frozen, the final weights equal those of the same run computed uninterrupted in this process.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DistributedTrainingFaultTests(PostgresServerFixture server, TrainingCohortFixture cohort, ITestOutputHelper output)
    : IClassFixture<TrainingCohortFixture>, IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dir = TestData.NewTempDir("opath-train-faults");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_trainer_silo_killed_mid_run_loses_nothing_and_the_weights_equal_an_uninterrupted_run()
    {
        await using var run = await TrainingProcessCluster.StartAsync(server, cohort, _dir, "kill-trainer", epochs: 1, stepsPerEpoch: 3);
        var (cluster, silos, client, coordinator) = (run.Cluster, run.Silos, run.Client, run.Coordinator);

        // Wait point: the first step is done, so every trainer the run uses has joined it; kill one that is not the
        // coordinator's silo (the coordinator's own loss is a resume from the checkpoint, not what this test is about).
        var management = client.GetGrain<IManagementGrain>(0);
        SiloProcess? victim = null;
        await cluster.WaitUntilAsync(async () =>
        {
            var status = await coordinator.GetStatusAsync();
            if (status is null || status.GlobalStep < 1) return false;
            var host = await management.GetActivationAddress(coordinator);
            victim = silos.FirstOrDefault(s => host is not null && s.SiloPort != host.Endpoint.Port && status.Trainers.Contains(s.WorkerKey));
            return victim is not null;
        }, "the first step and a trainer silo without the coordinator", RunTimeout);
        victim!.Kill();
        output.WriteLine($"killed {victim.Name} (pid {victim.ProcessId})");

        var final = await run.WaitForEndAsync(RunTimeout);

        Assert.True(final.State == RunState.Completed, $"the run ended {final.State}: {final.Error}\n{cluster.Logs()}");
        Assert.Equal(3, final.GlobalStep);
        // Not asserted: that the victim left final.Trainers. The run can end before membership declares its silo dead (a
        // slice sent to it fails at once and goes to another trainer), and then the last trainer list still names it.
        output.WriteLine($"{final.ReissuedSlices} slice(s) re-issued; trainers at the end: {string.Join(", ", final.Trainers)}");

        // The same run in this process: the same slices, their gradients averaged, the same steps.
        using var reference = UninterruptedRun.Train(run.Dataset, run.Spec);
        var worst = UninterruptedRun.LargestDifference(final.OutputWeights, reference);
        output.WriteLine($"largest difference from the uninterrupted run: {worst:g3}");
        Assert.True(worst < 2e-5, $"weights differ by up to {worst}");
    }

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
        Assert.True(final.Resumes >= 1, $"the run was never resumed ({final.Resumes}; trainers {string.Join(", ", final.Trainers)})\n{cluster.Logs()}");
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
