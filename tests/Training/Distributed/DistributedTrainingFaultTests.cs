using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;
using OrleansPathology.Training;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>
/// Real silo processes on PostgreSQL (clustering and the coordinator's state there): a trainer's silo SIGKILLed in the
/// middle of a run. The coordinator re-issues the lost slice to a live trainer and the run ends as if nothing had
/// happened: with BatchNorm frozen, its final weights equal those of the same run computed in this process.
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
}
