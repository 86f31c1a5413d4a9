using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// A silo that stops while a slide's outputs are being written (OpenSlide, Skia and zlib on a pool thread, off the map
/// grain's turn) finishes writing them before it has stopped: the map grain's deactivation waits for that work. Without
/// the wait, nothing held the stop for it, and a process exiting right after its silo stopped could tear those libraries
/// down under the writing thread (an embedded `opath submit` interrupted as its slide completed exited 139 once, in a CI
/// run under load). Here the outputs of a stride-8 map take less than the in-process silo's stop, so this test guards the
/// outcome (whole outputs after a stop) rather than reproducing that crash, which needs outputs slower than the stop.
/// </summary>
public sealed class StopWhileWritingOutputsTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-stop-outputs");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_outputs_being_written_when_the_silo_stops_are_whole_once_it_has_stopped()
    {
        var cluster = await FaultyCluster.StartAsync(new StorageFaults(), _ => { }, simulatedWorker: true,
            configure: silo => silo.Services.Configure<WorkerOptions>(o => o.Simulation.BatchTime = TimeSpan.FromMilliseconds(5)));
        await using var _ = cluster;
        // Stride 8 on CMU-1-Small-Region: about 100,000 cells in 64x64-cell regions, so the last batch comes soon and the
        // outputs (a GeoJSON feature per computed cell, the overlay, the heatmap) are still being written when it stops.
        var output = Path.Combine(_dir, "out");
        var spec = new CohortSpec("stop-outputs", [new SlideSpec("cmu", TestData.Slide("CMU-1-Small-Region.svs"))], "unused.weights",
            output, Stride: 8, Layout: new BatchLayout(RegionCells: 64, PatchesPerBatch: 32));
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);
        await cohort.SubmitAsync(spec);

        // Wait point: every batch recorded by the map grain, which then begins writing the outputs.
        var map = cluster.Client.GetGrain<IMapAssemblyGrain>($"{spec.CohortId}/cmu");
        for (var deadline = DateTime.UtcNow.AddMinutes(2); ; await Task.Delay(10))
        {
            if ((await cohort.GetStatusAsync())?.Slides.SingleOrDefault() is { BatchesTotal: > 0 } slide
                && (await map.GetProgressAsync()).BatchesDone == slide.BatchesTotal) break;
            if (DateTime.UtcNow > deadline) Assert.Fail("the slide's batches were not all recorded within 2 minutes");
        }
        await cluster.StopAllSilosAsync();

        var files = Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToList() : [];
        Assert.DoesNotContain(files, f => f!.EndsWith(".partial", StringComparison.Ordinal));
        foreach (var suffix in new[] { ".probmap", ".probmap.npy", ".csv", ".geojson", ".lesions.xml", ".heatmap.png", ".probmap.png", ".overlay.tif" })
            Assert.True(files.Any(f => f!.EndsWith(suffix, StringComparison.Ordinal)), $"no {suffix} once the silo had stopped: {string.Join(", ", files)}");
    }
}
