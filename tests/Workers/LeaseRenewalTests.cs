using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Tests.Faults;

namespace OrleansPathology.Tests.Workers;

/// <summary>
/// A worker renews the leases of the batches it holds, so a batch slower than the lease time, or queued behind another
/// on its device, is not leased to a second worker and computed twice. Before, a lease ran out a lease time after it
/// was granted, whatever the worker was doing: in full test runs the telemetry cohort saw such a "lease_expired" retry.
/// </summary>
public sealed class LeaseRenewalTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-renewal");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Batches_slower_than_the_lease_time_are_each_computed_once()
    {
        // Each batch takes 6 s on its device and a lease runs 4.8 s; four devices with two slots each for six batches, so an
        // idle device is always there to take a lease that runs out. Without renewals, batches are computed twice. Renewed
        // every 1.6 s, a lease outlives a stall of the test process of up to 3.2 s (at 3 s and 2.4 s, CI on 2 loaded cores
        // once saw 7 batches computed for 6).
        await using var cluster = await FaultyCluster.StartAsync(new StorageFaults(), o => o.LeaseTimeout = TimeSpan.FromSeconds(4.8),
            simulatedWorker: true,
            configure: silo => silo.Services.Configure<WorkerOptions>(o =>
            {
                o.Devices = ["sim:0", "sim:1", "sim:2", "sim:3"];
                o.Simulation.BatchTime = TimeSpan.FromSeconds(6);
            }));
        var workers = Enumerable.Range(0, 4).Select(d => cluster.Client.GetGrain<IInferenceWorkerGrain>($"solo/sim:{d}")).ToList();
        var spec = new CohortSpec("renewal", [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights",
            Path.Combine(_dir, "out"), Stride: 128, Layout: new BatchLayout(RegionCells: 8, PatchesPerBatch: 32));
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);
        await cohort.SubmitAsync(spec);

        CohortStatus? status = null;
        for (var deadline = DateTime.UtcNow.AddMinutes(3); (status = await cohort.GetStatusAsync()) is not { FinishedAt: not null }; await Task.Delay(200))
            if (DateTime.UtcNow > deadline) Assert.Fail("the cohort did not end within 3 minutes");

        Assert.Equal(RunState.Completed, status.State);
        var slide = status.Slides.Single();
        Assert.True(slide.BatchesTotal >= 3, $"the test needs a few batches, got {slide.BatchesTotal}");
        var computed = (await Task.WhenAll(workers.Select(w => w.GetStatusAsync()))).Sum(w => w.BatchesDone);
        Assert.Equal(slide.BatchesTotal, computed);
    }
}
