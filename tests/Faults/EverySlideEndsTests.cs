using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansPathology.Client;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Maps;
using OrleansPathology.Grains.Slides;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Work;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Every slide ends (issue 11, case 2): each way a slide's end could be lost on the way (outputs that cannot be written, an
/// exception at the map's finish, a finish slower than the call timeout, a state write failing at the finish or at
/// planning, a directory entry lost) on one silo whose storage fails on purpose, with the test as the worker, so
/// that nothing but the grains and the watchdog can end the slide.
/// </summary>
public sealed class EverySlideEndsTests : IDisposable
{
    /// <summary>Long enough for a tissue mask and the outputs of a small slide on a loaded 2-core machine.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly string _dir = TestData.NewTempDir("opath-slides-end");
    private readonly StorageFaults _faults = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Outputs_that_cannot_be_written_fail_the_slide_with_the_reason_and_the_cohort_ends()
    {
        await using var cluster = await StartAsync();
        var spec = Spec("unwritable", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));
        var items = await LeaseEveryBatchAsync(cluster, spec, "cmu");
        // Once planned, the slide's output folder becomes a file (a full or remounted disk would fail the same way).
        var folder = Path.Combine(spec.OutputRoot, spec.CohortId, "cmu");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        File.WriteAllText(folder, "outputs cannot go under a file");

        await RecordAsync(cluster, items);
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        var slide = status.Slides.Single();
        Assert.Equal(RunState.Failed, slide.State);
        Assert.StartsWith("writing outputs: ", slide.Error);
        Assert.Contains(folder, slide.Error);
        Assert.Equal(RunState.Failed, status.State);
    }

    [Fact]
    public async Task An_exception_at_the_maps_finish_fails_the_slide_with_the_reason()
    {
        // The slide file is replaced by a corrupt one after planning: the finish cannot open it for the heatmap's thumbnail.
        var path = Path.Combine(_dir, "moving.svs");
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), path);
        await using var cluster = await StartAsync();
        var spec = Spec("finish-throws", Path.Combine(_dir, "out"), ("moving", path));
        var items = await LeaseEveryBatchAsync(cluster, spec, "moving");
        File.Copy(TestData.Slide("broken.svs"), path, overwrite: true);

        await RecordAsync(cluster, items);
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        var slide = status.Slides.Single();
        Assert.Equal(RunState.Failed, slide.State);
        Assert.StartsWith($"writing outputs: {path}", slide.Error);
    }

    [Fact]
    public async Task A_finish_that_outlasts_the_call_timeout_still_completes_the_slide()
    {
        var responseTimeout = TimeSpan.FromSeconds(2);
        await using var cluster = await StartAsync(services: s => s.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = responseTimeout));
        var spec = Spec("slow-finish", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));
        var items = await LeaseEveryBatchAsync(cluster, spec, "cmu");
        // The heatmap is a named pipe: writing it blocks (past the pipe's 64 KB buffer) until this test reads it, as a
        // stalled disk would.
        var folder = Directory.CreateDirectory(Path.Combine(spec.OutputRoot, spec.CohortId, "cmu")).FullName;
        var pipe = Path.Combine(folder, "CMU-1-Small-Region.heatmap.png");
        using (var mkfifo = Process.Start("mkfifo", pipe)) await mkfifo.WaitForExitAsync();

        await RecordAsync(cluster, items);
        var slide = cluster.Client.GetGrain<ISlideGrain>($"{spec.CohortId}/cmu");
        await Task.Delay(responseTimeout * 3); // the finish is held three call timeouts long
        Assert.Equal(RunState.Running, (await slide.GetProgressAsync()).State);
        // Read by another process: this one's open would meet the lock .NET's writer holds on the file.
        byte[] written;
        using (var cat = Process.Start(new ProcessStartInfo("cat", [pipe]) { RedirectStandardOutput = true })!)
        using (var copy = new MemoryStream())
        {
            await cat.StandardOutput.BaseStream.CopyToAsync(copy);
            await cat.WaitForExitAsync();
            written = copy.ToArray();
        }
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        Assert.Equal((RunState.Completed, null), (status.Slides.Single().State, status.Slides.Single().Error));
        Assert.True(written.Length > 64 * 1024, $"the heatmap has {written.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], written[..4]);
        Assert.True(File.Exists(Path.Combine(folder, "CMU-1-Small-Region.csv")));
        Assert.Equal(RunState.Completed, status.State);
    }

    [Fact]
    public async Task A_map_state_write_that_fails_at_the_finish_is_tried_again_by_the_watchdog()
    {
        // Every attempt of the first finish's write fails (the gate tries 5 times); the map then leaves the slide running.
        _faults.FailWrites<MapAssemblyState>((_, s) => s.Finished, times: 5);
        await using var cluster = await StartAsync(watch: true);
        var spec = Spec("map-write", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));

        await ScoreEveryBatchAsync(cluster, spec, "cmu");
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        Assert.Equal(5, _faults.Injected);
        Assert.Equal((RunState.Completed, null), (status.Slides.Single().State, status.Slides.Single().Error));
        Assert.Equal(RunState.Completed, status.State);
    }

    [Fact]
    public async Task A_slide_state_write_that_fails_twice_at_the_end_is_retried_and_stored()
    {
        _faults.FailWrites<SlideState>((_, s) => s.State == RunState.Completed, times: 2);
        await using var cluster = await StartAsync();
        var spec = Spec("slide-write", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));

        await ScoreEveryBatchAsync(cluster, spec, "cmu");
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        Assert.Equal(2, _faults.Injected);
        Assert.Equal(RunState.Completed, status.Slides.Single().State);
        // Stored, not only held in memory: a new activation of the slide reads Completed.
        await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal(RunState.Completed, (await cluster.Client.GetGrain<ISlideGrain>($"{spec.CohortId}/cmu").GetProgressAsync()).State);
    }

    [Fact]
    public async Task A_planning_fault_is_retried_until_the_slide_is_planned()
    {
        // Recording the plan's size fails on every attempt of the gate: planning itself fails, and is tried again.
        _faults.FailWrites<SlideState>((_, s) => s.State == RunState.Running && s.BatchesTotal > 0, times: 5);
        await using var cluster = await StartAsync();
        var spec = Spec("planning", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));

        await ScoreEveryBatchAsync(cluster, spec, "cmu");
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        Assert.Equal(5, _faults.Injected);
        Assert.Equal((RunState.Completed, null), (status.Slides.Single().State, status.Slides.Single().Error));
    }

    [Fact]
    public async Task A_slide_that_stalls_is_listed_for_workers_again_by_the_watchdog()
    {
        await using var cluster = await StartAsync(watch: true);
        var spec = Spec("stall", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));
        await cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var directory = cluster.Client.GetGrain<IWorkDirectoryGrain>(WorkDirectory.Key);
        await WaitUntilAsync(async () => (await directory.GetSlidesAsync()).Contains("stall/cmu"), "the slide to be planned and listed");

        // The directory loses the slide (a lost write, a restore): no worker would ever lease it.
        await directory.RemoveSlideAsync("stall/cmu");
        await WaitUntilAsync(async () => (await directory.GetSlidesAsync()).Contains("stall/cmu"), "the watchdog to list the stalled slide again");

        await ScoreEveryBatchAsync(cluster, spec, "cmu", submit: false);
        var status = await WaitEndedAsync(cluster, spec.CohortId);
        Assert.Equal(RunState.Completed, status.State);
    }

    [Fact]
    public async Task A_cohort_whose_activation_is_lost_is_revived_and_its_watchdog_lists_a_stalled_slide_again()
    {
        await using var cluster = await StartAsync(watch: true);
        var spec = Spec("revived", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);
        await cohort.SubmitAsync(spec);
        var directory = cluster.Client.GetGrain<IWorkDirectoryGrain>(WorkDirectory.Key);
        await WaitUntilAsync(async () => (await directory.GetSlidesAsync()).Contains("revived/cmu"), "the slide to be planned and listed");

        // The cohort's activation is lost, with its watchdog timer (as when its silo dies), and then the directory loses the
        // slide. No client asks the cohort anything from here on: only a silo's revival pass can bring its watchdog back.
        await cluster.DeactivateAsync(cohort);
        await directory.RemoveSlideAsync("revived/cmu");
        await WaitUntilAsync(async () => (await directory.GetSlidesAsync()).Contains("revived/cmu"), "the revived cohort's watchdog to list the stalled slide again");

        await ScoreEveryBatchAsync(cluster, spec, "cmu", submit: false);
        Assert.Equal(RunState.Completed, (await WaitEndedAsync(cluster, spec.CohortId)).State);
        var registry = cluster.Client.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key);
        await WaitUntilAsync(async () => !(await registry.RunningAsync()).Contains(spec.CohortId), "the ended cohort to leave the running list");
    }

    [Fact]
    public async Task A_cancel_that_arrives_as_the_last_slide_finishes_leaves_the_cohort_cancelled()
    {
        var release = new TaskCompletionSource();
        var finishing = _faults.HoldWrite<SlideState>((_, s) => s.State == RunState.Completed, release.Task);
        await using var cluster = await StartAsync();
        var spec = Spec("race", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);

        // The slide is finishing (its end being written) when the cancel arrives.
        await ScoreEveryBatchAsync(cluster, spec, "cmu");
        await finishing.WaitAsync(Limit);
        var cancelled = await cohort.CancelAsync();
        release.SetResult();
        await WaitUntilAsync(async () => (await cohort.GetStatusAsync())!.Slides.All(s => s.State != RunState.Running), "the slide to end");

        Assert.Equal(RunState.Cancelled, cancelled!.State);
        var status = (await cohort.GetStatusAsync())!;
        Assert.Equal(RunState.Cancelled, status.State);
        Assert.NotNull(status.FinishedAt);
        // A cancel after the end changes nothing.
        Assert.Equal(RunState.Cancelled, (await cohort.CancelAsync())!.State);
    }

    [Fact]
    public async Task A_cohort_with_failed_slides_does_not_end_plain_completed()
    {
        await using var cluster = await StartAsync();
        var mixed = Spec("mixed", Path.Combine(_dir, "out"),
            ("cmu", TestData.Slide("CMU-1-Small-Region.svs")), ("gone-1", Path.Combine(_dir, "gone-1.svs")), ("gone-2", Path.Combine(_dir, "gone-2.svs")));
        var failed = Spec("failed", Path.Combine(_dir, "out"), ("gone", Path.Combine(_dir, "gone.svs")));

        await ScoreEveryBatchAsync(cluster, mixed, "cmu");
        await cluster.Client.GetGrain<ICohortGrain>(failed.CohortId).SubmitAsync(failed);
        var mostlyFailed = await WaitEndedAsync(cluster, mixed.CohortId);
        var allFailed = await WaitEndedAsync(cluster, failed.CohortId);

        Assert.Equal(RunState.CompletedWithFailures, mostlyFailed.State);
        Assert.Equal(ExitCodes.PartialFailure, CohortReport.ExitCode(mostlyFailed));
        Assert.Equal(RunState.Failed, allFailed.State);
        Assert.Equal(ExitCodes.Failure, CohortReport.ExitCode(allFailed));
    }

    [Fact]
    public async Task A_result_the_store_refuses_for_good_fails_its_batch_then_the_slide_with_the_reason()
    {
        // A value the database refuses for good (too long for its column, say): the ids that caused it on PostgreSQL are
        // now refused at submit, so the refusal is injected; the writer, map, worker and slide are the real ones.
        await using var cluster = await FaultyCluster.StartAsync(_faults, o => (o.MaxBatchAttempts, o.LeaseTimeout) = (3, TimeSpan.FromMinutes(10)),
            simulatedWorker: true, services: s => s.AddSingleton<IBatchResultStore>(new RefusingBatchStore()));
        var spec = Spec("refused", Path.Combine(_dir, "out"), ("cmu", TestData.Slide("CMU-1-Small-Region.svs")));

        await cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var status = await WaitEndedAsync(cluster, spec.CohortId);

        var slide = status.Slides.Single();
        Assert.Equal(RunState.Failed, slide.State);
        Assert.Matches(@"^batch \d+ failed 3 times; last error on solo/sim:0: batch \d+ of refused/cmu cannot be stored: value too long for type character varying\(512\)$", slide.Error);
        Assert.Equal(RunState.Failed, status.State);
    }

    /// <summary>A batch store whose database refuses every value: an error that is not transient.</summary>
    private sealed class RefusingBatchStore : IBatchResultStore
    {
        private readonly MemoryBatchResultStore _inner = new();

        public Task<bool> TryAddAsync(string slideKey, int batchIndex, BatchCells cells, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("value too long for type character varying(512)");

        public Task<bool[]> TryAddManyAsync(IReadOnlyList<StoredBatch> batches, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("value too long for type character varying(512)");

        public Task<IReadOnlyList<(int BatchIndex, BatchCells Cells)>> ReadAllAsync(string slideKey, CancellationToken cancellationToken = default) =>
            _inner.ReadAllAsync(slideKey, cancellationToken);

        public Task DeleteAsync(string slideKey, CancellationToken cancellationToken = default) => _inner.DeleteAsync(slideKey, cancellationToken);
    }

    private Task<InProcessTestCluster> StartAsync(bool watch = false, Action<IServiceCollection>? services = null) =>
        FaultyCluster.StartAsync(_faults, o =>
        {
            // Without the watchdog (a day between visits) a test shows what the grains do alone.
            (o.WatchInterval, o.StallTimeout) = watch ? (TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)) : (TimeSpan.FromDays(1), TimeSpan.FromDays(1));
            o.LeaseTimeout = TimeSpan.FromMinutes(10);
        }, services: services, configure: silo => silo.AddCohortRevival());

    private static CohortSpec Spec(string id, string outputRoot, params (string Id, string Path)[] slides) =>
        new(id, [.. slides.Select(s => new SlideSpec(s.Id, s.Path))], "unused.weights", outputRoot, Stride: 128,
            Layout: new BatchLayout(RegionCells: 4, PatchesPerBatch: 32));

    // The test is the worker: it leases every batch of the slide, then records each with a probability of 0.5.
    private static async Task ScoreEveryBatchAsync(InProcessTestCluster cluster, CohortSpec spec, string slideId, bool submit = true)
    {
        var items = await LeaseEveryBatchAsync(cluster, spec, slideId, submit);
        await RecordAsync(cluster, items);
    }

    private static async Task<IReadOnlyList<WorkItem>> LeaseEveryBatchAsync(InProcessTestCluster cluster, CohortSpec spec, string slideId, bool submit = true)
    {
        if (submit) await cluster.Client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var slide = cluster.Client.GetGrain<ISlideGrain>($"{spec.CohortId}/{slideId}");
        IReadOnlyList<WorkItem> items = [];
        await WaitUntilAsync(async () => (items = (await slide.LeaseAsync("test/sim:0", 10_000)).Items).Count > 0, $"slide {slideId} to lease its batches");
        return items;
    }

    private static async Task RecordAsync(InProcessTestCluster cluster, IReadOnlyList<WorkItem> items)
    {
        foreach (var item in items)
        {
            await cluster.Client.GetGrain<IMapAssemblyGrain>(item.SlideKey).RecordAsync(
                new WorkResult(item.SlideKey, item.BatchIndex, item.CellX.Select(_ => 0.5f).ToArray(), "test/sim:0", 0, 0, item.CellX, item.CellY));
        }
    }

    private static async Task<CohortStatus> WaitEndedAsync(InProcessTestCluster cluster, string cohortId)
    {
        CohortStatus? status = null;
        // Ended, and every slide's own answer says so too (a slide reads Running while its end is being written).
        await WaitUntilAsync(async () => (status = await cluster.Client.GetGrain<ICohortGrain>(cohortId).GetStatusAsync()) is { FinishedAt: not null }
            && status.Slides.All(s => s.State != RunState.Running), $"cohort {cohortId} to end");
        return status!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var deadline = DateTime.UtcNow + Limit; !await condition(); await Task.Delay(100))
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {Limit.TotalSeconds:0} s waiting for {what}");
    }
}
