using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Tests.Faults;

namespace OrleansPathology.Tests.Workers;

/// <summary>
/// Idle workers wait for their silo's next read of the work directory, one read shared by all of them, instead of a
/// timer each (issue 10: 128 idle workers polling made a fifth of idle silos' CPU kernel thread switches). So a worker
/// with nothing to do sees a new cohort at that read, however long its poll interval; before, it slept its poll interval.
/// </summary>
public sealed class IdleWorkerWaitTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-idle-wait");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_idle_worker_starts_new_work_at_the_directorys_next_read_not_after_its_poll_interval()
    {
        await using var cluster = await FaultyCluster.StartAsync(new StorageFaults(), _ => { }, simulatedWorker: true,
            configure: silo => silo.Services.Configure<WorkerOptions>(o =>
                (o.PollInterval, o.DirectoryRefresh) = (TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(200))));
        var worker = cluster.Client.GetGrain<IInferenceWorkerGrain>("solo/sim:0");
        await WaitUntilAsync(async () => (await worker.GetStatusAsync()).Pulling, TimeSpan.FromSeconds(30), "the worker to start");
        // Its first ask found no slide listed: it is idle now.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var spec = new CohortSpec("idle-wait", [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights",
            Path.Combine(_dir, "out"), Stride: 128, Layout: new BatchLayout(RegionCells: 4, PatchesPerBatch: 32));
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);
        await cohort.SubmitAsync(spec);
        CohortStatus? status = null;
        // Well under the poll interval: a loaded machine plans and scores the slide in seconds.
        await WaitUntilAsync(async () => (status = await cohort.GetStatusAsync()) is { FinishedAt: not null }, TimeSpan.FromMinutes(3), "the cohort to end");

        Assert.Equal(RunState.Completed, status!.State);
        Assert.True((await worker.GetStatusAsync()).BatchesDone > 0);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        for (var deadline = DateTime.UtcNow + limit; !await condition(); await Task.Delay(100))
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {limit.TotalSeconds:0} s waiting for {what}");
    }
}
