using OrleansPathology.Grains;
using OrleansPathology.Inference;
using OrleansPathology.Model;

namespace OrleansPathology.Tests.Workers;

/// <summary>The pull loop against the real dispatcher, slide and map grains: cohorts scored and failed by the workers.</summary>
[Collection(WorkerClusterCollection.Name)]
public sealed class WorkerPumpTests(WorkerClusterFixture fixture)
{
    private static readonly string[] Workers = [$"{WorkerClusterFixture.NodeA}/cpu:0", $"{WorkerClusterFixture.NodeB}/cpu:0"];

    [Fact]
    public async Task ACohort_IsScoredByTheStartedWorkers_AndEveryBatchIsCountedOnce()
    {
        var before = await StatusesAsync();
        var cohort = new CohortSpec($"scored-{Guid.NewGuid():N}",
            [new SlideSpec("small", TestData.Slide("CMU-1-Small-Region.svs"))], fixture.WeightsPath, fixture.OutputRoot, Stride: 128);

        var status = await RunAsync(cohort);

        var slide = Assert.Single(status.Slides);
        Assert.Equal((RunState.Completed, null), (slide.State, slide.Error));
        Assert.True(slide.BatchesTotal > 0);
        Assert.Equal((slide.BatchesTotal, slide.CellsTotal), (slide.BatchesDone, slide.CellsDone));
        // The cohort can report completion a moment before each worker's own turn that counts the batch has run.
        WorkerStatus[] after = [];
        await WorkerClusterFixture.WaitUntilAsync(async () =>
        {
            after = await StatusesAsync();
            return after.All(s => s.InFlight == 0);
        }, "the workers to finish counting their batches", seconds: 10);
        // Duplicate deliveries are possible in principle (a lease that runs out), not in a healthy run like this.
        Assert.Equal(slide.BatchesTotal, after.Sum(s => s.BatchesDone) - before.Sum(s => s.BatchesDone));
        Assert.Equal(slide.CellsTotal, after.Sum(s => s.CellsDone) - before.Sum(s => s.CellsDone));
        // The pinned copy of the fixture's weights (named by their SHA-256), not the file the cohort named.
        Assert.Contains(after, s => s.LoadedWeights == PinnedWeights.PathFor(fixture.OutputRoot, PinnedWeights.Digest(File.ReadAllBytes(fixture.WeightsPath))));
        var outputs = InferenceOutputPaths.For(slide.OutputDirectory!, cohort.Slides[0].Path);
        Assert.True(File.Exists(outputs.Map), $"no map at {outputs.Map}");
    }

    [Fact]
    public async Task Drain_StopsTheWorker_AndStartResumesIt()
    {
        var worker = fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>(Workers[0]);

        await worker.DrainAsync();
        Assert.Equal(0, (await worker.GetStatusAsync()).InFlight);
        await worker.DrainAsync(); // idempotent
        await worker.StartAsync();
        await worker.StartAsync(); // idempotent

        Assert.Equal(fixture.AddressOf(WorkerClusterFixture.NodeA), fixture.HostOf(worker));
    }

    [Fact]
    public async Task AWorkerWhoseActivationIsLost_IsStartedAgainOnItsSilo()
    {
        var worker = fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>(Workers[1]);
        Assert.NotNull(fixture.HostOf(worker));

        // DeactivateAsync returns once that activation is gone. (Waiting for deactivation again, as this test did, hung
        // the suite whenever the silo's watch had already activated the worker again: it waited for that new activation.)
        await fixture.Cluster.DeactivateAsync(worker);

        // Revived by its silo's watch (every second here), without anyone calling it.
        await WorkerClusterFixture.WaitUntilAsync(() => fixture.HostOf(worker) is not null, "the worker to be activated again", seconds: 10);
        Assert.Equal(fixture.AddressOf(WorkerClusterFixture.NodeB), fixture.HostOf(worker));
    }

    private async Task<CohortStatus> RunAsync(CohortSpec cohort)
    {
        var grain = fixture.Cluster.Client.GetGrain<ICohortGrain>(cohort.CohortId);
        await grain.SubmitAsync(cohort);
        CohortStatus? status = null;
        await WorkerClusterFixture.WaitUntilAsync(async () =>
        {
            status = await grain.GetStatusAsync();
            return status is { State: not RunState.Running and not RunState.Pending };
        }, $"cohort {cohort.CohortId} to finish", seconds: 180);
        return status!;
    }

    private async Task<WorkerStatus[]> StatusesAsync() =>
        await Task.WhenAll(Workers.Select(w => fixture.Cluster.Client.GetGrain<IInferenceWorkerGrain>(w).GetStatusAsync()));
}
