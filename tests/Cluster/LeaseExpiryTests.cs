using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Slides;

namespace OrleansPathology.Tests.Cluster;

/// <summary>
/// Lease expiry and re-issue on a controlled clock: a silo without workers, so the test alone leases, records and
/// fails batches, and only the lease clock decides when a lease has run out.
/// </summary>
public sealed class LeaseExpiryTests : IAsyncLifetime
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxBatchTime = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
    private readonly string _dir = TestData.NewTempDir("opath-leases");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await WorkerlessCluster.StartAsync(services =>
    {
        services.AddSingleton(new LeaseClock(_clock));
        services.Configure<PathologyGrainOptions>(o => (o.LeaseTimeout, o.MaxBatchAttempts, o.MaxBatchTime) = (LeaseTimeout, 3, MaxBatchTime));
    });

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ALease_RunsOutAtItsTime_AndOnlyUnrecordedBatchesAreLeasedAgain()
    {
        var slide = await SubmitCmuAsync("leases");
        var map = _cluster.Client.GetGrain<IMapAssemblyGrain>("leases/cmu");
        var first = await LeaseAllAsync(slide, "a/sim:0");
        Assert.True(first.Count >= 3, $"the test needs a few batches, got {first.Count}");

        // Every batch is leased: nothing for another worker, and it is told to come back when the oldest lease may run out.
        var none = await slide.LeaseAsync("b/sim:0", 100);
        Assert.Empty(none.Items);
        Assert.Equal(LeaseTimeout, none.RetryAfter);

        Assert.True(await map.RecordAsync(Result(first[0])));
        _clock.Advance(LeaseTimeout - TimeSpan.FromSeconds(1));
        Assert.Empty((await slide.LeaseAsync("b/sim:0", 100)).Items);

        // Past the lease time: every batch but the recorded one goes to the worker that asks.
        _clock.Advance(TimeSpan.FromSeconds(2));
        var again = (await slide.LeaseAsync("b/sim:0", 100)).Items;
        Assert.Equal(first.Skip(1).Select(i => i.BatchIndex), again.Select(i => i.BatchIndex).Order());

        // A batch its worker could not compute is leased again at once, without waiting for its lease to run out.
        await slide.FailBatchAsync(again[0].BatchIndex, "b/sim:0", "device lost");
        var retried = (await slide.LeaseAsync("c/sim:0", 100)).Items;
        Assert.Equal([again[0].BatchIndex], retried.Select(i => i.BatchIndex));

        // Recording the rest finishes the slide: its map writes the outputs and tells it.
        foreach (var item in again) await map.RecordAsync(Result(item));
        var progress = await slide.GetProgressAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(1); progress.State == RunState.Running && DateTime.UtcNow < deadline; progress = await slide.GetProgressAsync())
            await Task.Delay(100);
        Assert.Equal((RunState.Completed, progress.BatchesTotal), (progress.State, progress.BatchesDone));
    }

    [Fact]
    public async Task ARenewedLease_RunsALeaseTimeFromItsRenewal_AndOnlyItsWorkerCanRenewIt()
    {
        var slide = await SubmitCmuAsync("renewals");
        var held = await LeaseAllAsync(slide, "a/sim:0");
        Assert.True(held.Count >= 2, $"the test needs two batches, got {held.Count}");
        Assert.All(held, item => Assert.Equal(LeaseTimeout, item.LeaseTime));
        var (renewed, lapsed) = (held[0].BatchIndex, held[1].BatchIndex);

        // Another worker cannot renew a lease that is not its own; its worker can, shortly before the lease runs out.
        Assert.False(await slide.RenewLeaseAsync(renewed, "b/sim:0"));
        _clock.Advance(LeaseTimeout - TimeSpan.FromSeconds(10));
        Assert.True(await slide.RenewLeaseAsync(renewed, "a/sim:0"));

        // Past the first lease time: the batches not renewed are leased again, the renewed one is not.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var again = (await slide.LeaseAsync("b/sim:0", 100)).Items.Select(i => i.BatchIndex).ToList();
        Assert.Contains(lapsed, again);
        Assert.DoesNotContain(renewed, again);
        // The lapsed batch is b's now: a's renewal is refused, so a knows it lost that lease.
        Assert.False(await slide.RenewLeaseAsync(lapsed, "a/sim:0"));

        // A whole lease time after the renewal, without another, it runs out too.
        _clock.Advance(LeaseTimeout - TimeSpan.FromSeconds(9));
        Assert.Equal([renewed], (await slide.LeaseAsync("c/sim:0", 100)).Items.Select(i => i.BatchIndex));
    }

    [Fact]
    public async Task AWorkerThatRenewsForever_LosesTheBatchAfterTheLongestHold_SoAHungDeviceCannotHoldItsSlide()
    {
        var slide = await SubmitCmuAsync("hung");
        var batch = (await LeaseAllAsync(slide, "a/sim:0"))[0].BatchIndex;

        // A worker whose device hangs keeps renewing: accepted until it has held the batch MaxBatchTime (5 min).
        var held = TimeSpan.Zero;
        for (; held + LeaseTimeout / 3 < MaxBatchTime; held += LeaseTimeout / 3)
        {
            _clock.Advance(LeaseTimeout / 3);
            Assert.True(await slide.RenewLeaseAsync(batch, "a/sim:0"), $"renewal after {held + LeaseTimeout / 3}");
        }
        _clock.Advance(MaxBatchTime - held);
        Assert.False(await slide.RenewLeaseAsync(batch, "a/sim:0"));
        // (The batches a never renewed went to b long ago; this one is still a's until its last renewal runs out.)
        Assert.DoesNotContain(batch, (await slide.LeaseAsync("b/sim:0", 100)).Items.Select(i => i.BatchIndex));

        // Its last renewal's lease then runs out like any other, and another worker gets the batch.
        _clock.Advance(LeaseTimeout);
        Assert.Contains(batch, (await slide.LeaseAsync("b/sim:0", 100)).Items.Select(i => i.BatchIndex));
    }

    [Fact]
    public async Task ABatchThatFailsOnEveryAttempt_FailsItsSlideWithTheLastError()
    {
        var slide = await SubmitCmuAsync("failing");
        var batch = (await LeaseAllAsync(slide, "a/sim:0"))[1].BatchIndex;

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await slide.FailBatchAsync(batch, $"w{attempt}/sim:0", $"error {attempt}");
            if (attempt < 3) Assert.Equal([batch], (await slide.LeaseAsync($"w{attempt + 1}/sim:0", 100)).Items.Select(i => i.BatchIndex));
        }

        var progress = await slide.GetProgressAsync();
        Assert.Equal(RunState.Failed, progress.State);
        Assert.Equal($"batch {batch} failed 3 times; last error on w3/sim:0: error 3", progress.Error);
        Assert.Empty((await slide.LeaseAsync("d/sim:0", 100)).Items);
    }

    // CMU-1-Small-Region at stride 128 in 4x4-cell regions: a few batches, planned in a second or two.
    private async Task<ISlideGrain> SubmitCmuAsync(string cohortId)
    {
        var spec = new CohortSpec(cohortId, [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights",
            Path.Combine(_dir, "out"), Stride: 128, Layout: new BatchLayout(RegionCells: 4, PatchesPerBatch: 32));
        await _cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        return _cluster.Client.GetGrain<ISlideGrain>($"{cohortId}/cmu");
    }

    // Wait point: the slide answers "no work yet" while it plans; then one call for many hands out every batch.
    private static async Task<IReadOnlyList<WorkItem>> LeaseAllAsync(ISlideGrain slide, string worker)
    {
        var items = (await slide.LeaseAsync(worker, 10_000)).Items;
        for (var deadline = DateTime.UtcNow.AddMinutes(1); items.Count == 0 && DateTime.UtcNow < deadline; items = (await slide.LeaseAsync(worker, 10_000)).Items)
            await Task.Delay(100);
        return items;
    }

    private static WorkResult Result(WorkItem item) =>
        new(item.SlideKey, item.BatchIndex, item.CellX.Select(_ => 0.5f).ToArray(), "test", 0, 0, item.CellX, item.CellY);
}
