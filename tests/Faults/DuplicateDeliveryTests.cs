using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Batches delivered more than once (a worker presumed lost that was only slow, a report retried): map assembly
/// keeps the first delivery of each batch, one row in <c>opath_batch_results</c>, each cell written once. An
/// in-process silo without workers, so that the test alone leases and delivers; the batch store is the real
/// PostgreSQL one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DuplicateDeliveryTests(PostgresServerFixture server) : IAsyncLifetime
{
    private readonly string _dir = TestData.NewTempDir("opath-faults-dup");
    private InProcessTestCluster _cluster = null!;
    private NpgsqlDataSource _database = null!;

    private static string SlidePath => TestData.Slide("CMU-1-Small-Region.svs");

    public async Task InitializeAsync()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("duplicates");
        _database = NpgsqlDataSource.Create(connectionString);
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
            silo.Services.AddSingleton<IBatchResultStore>(new PostgresBatchResultStore(_database));
            silo.Services.TryAddSingleton(TimeProvider.System);
            silo.Services.AddSingleton<BatchResultWriter>();
            silo.Services.Configure<PathologyGrainOptions>(o => o.Layouts["cpu"].RegionCells = 4);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Every_batch_delivered_twice_is_stored_once_and_the_map_keeps_the_first_delivery()
    {
        var spec = new CohortSpec("twice", [new SlideSpec("cmu", SlidePath)], "unused.weights", Path.Combine(_dir, "out"), Stride: 128);
        var grains = _cluster.Client;
        await grains.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var key = $"{spec.CohortId}/cmu";
        var slide = grains.GetGrain<ISlideGrain>(key);
        // Wait point: the slide has planned its batches (until then it answers leases with "no work yet"); then one
        // lease call for as many as there are hands out every batch, once.
        var items = (await slide.LeaseAsync("test/cpu:0", int.MaxValue)).Items;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1); items.Count == 0 && DateTime.UtcNow < deadline; items = (await slide.LeaseAsync("test/cpu:0", int.MaxValue)).Items)
            await Task.Delay(100);
        var assembly = grains.GetGrain<IMapAssemblyGrain>(key);
        var planned = await slide.GetProgressAsync();
        Assert.True(planned.BatchesTotal >= 4, $"{planned}: the test needs a few batches");
        Assert.Equal(Enumerable.Range(0, planned.BatchesTotal), items.Select(i => i.BatchIndex).Order());

        // The same result twice in a row, straight to the map as workers send it: one row, one batch counted.
        Assert.True(await assembly.RecordAsync(Result(items[0], First)));
        Assert.False(await assembly.RecordAsync(Result(items[0], First)));
        Assert.Equal(1, await RowCountAsync(key));
        var progress = await slide.GetProgressAsync();
        Assert.Equal((1, (long)items[0].CellX.Length), (progress.BatchesDone, progress.CellsDone));

        // A late second delivery with other values (another device, say) changes nothing.
        Assert.True(await assembly.RecordAsync(Result(items[1], First)));
        Assert.False(await assembly.RecordAsync(Result(items[1], Other)));

        // The rest twice each, all at once: the map is reentrant, so deliveries of one batch interleave (and share a group write).
        var both = await Task.WhenAll(items.Skip(2).SelectMany(item => new[] { assembly.RecordAsync(Result(item, First)), assembly.RecordAsync(Result(item, First)) }));
        Assert.Equal(items.Count - 2, both.Count(recorded => recorded));

        // Wait point: the last batch finishes the slide (its outputs are written off the grain's turn).
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1); progress.State == RunState.Running && DateTime.UtcNow < deadline; progress = await slide.GetProgressAsync())
            await Task.Delay(100);
        Assert.Equal((RunState.Completed, null), (progress.State, progress.Error));
        Assert.Equal((progress.BatchesTotal, progress.CellsTotal), (progress.BatchesDone, progress.CellsDone));
        Assert.Equal(items.Count, await RowCountAsync(key));
        var map = ProbabilityMap.Load(InferenceOutputPaths.For(progress.OutputDirectory!, SlidePath).Map);
        Assert.Equal(progress.CellsTotal, map.ComputedCount());
        foreach (var item in items)
        {
            for (var i = 0; i < item.CellX.Length; i++)
                Assert.Equal(First(item.CellX[i], item.CellY[i]), map[item.CellX[i], item.CellY[i]]);
        }

        // A batch the map already holds is refused, and still after the map is reloaded from the store.
        var again = Result(items[0], Other);
        Assert.False(await assembly.RecordAsync(again));
        // DeactivateAsync returns once that activation is gone; waiting again could wait on the next activation.
        await _cluster.DeactivateAsync(assembly);
        Assert.False(await assembly.RecordAsync(again));
        Assert.Equal(items.Count, await RowCountAsync(key));
    }

    [Fact]
    public async Task A_batch_another_activation_stored_is_taken_from_the_store_into_the_map()
    {
        // Two map activations of one slide can overlap for a moment: a silo declared dead that still runs keeps its
        // activation until it learns so. What it stored after this activation loaded is in the store, not in this map.
        var key = "zombie/cmu";
        var store = new PostgresBatchResultStore(_database);
        var assembly = _cluster.Client.GetGrain<IMapAssemblyGrain>(key);
        long width, height;
        using (var slide = Slide.Open(SlidePath)) (width, height) = (slide.Dimensions.Width, slide.Dimensions.Height);
        var output = Path.Combine(_dir, "zombie");
        await assembly.BeginAsync(new MapPlan("zombie", "cmu", SlidePath, width, height, 128, BatchCount: 2, CellCount: 5, output));
        int[] xs0 = [0, 1, 2], ys0 = [0, 0, 0], xs1 = [3, 4], ys1 = [5, 5];
        Assert.True(await store.TryAddAsync(key, 1, new BatchCells(xs1, ys1, [0.25f, 0.75f])));

        Assert.True(await assembly.RecordAsync(new WorkResult(key, 0, [0.1f, 0.2f, 0.3f], "test/cpu:0", 0, 0, xs0, ys0)));
        // The store holds batch 1 already: refused, and the map's countdown reaches zero with the stored values.
        Assert.False(await assembly.RecordAsync(new WorkResult(key, 1, [0.5f, 0.5f], "test/cpu:0", 0, 0, xs1, ys1)));

        var mapPath = InferenceOutputPaths.For(output, SlidePath).Map;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1); !File.Exists(mapPath) && DateTime.UtcNow < deadline;) await Task.Delay(100);
        var map = ProbabilityMap.Load(mapPath);
        Assert.Equal(5, map.ComputedCount());
        Assert.Equal((0.1f, 0.2f, 0.3f), (map[0, 0], map[1, 0], map[2, 0]));
        Assert.Equal((0.25f, 0.75f), (map[3, 5], map[4, 5])); // the stored values, as every later reload would read them
    }

    /// <summary>The values a first delivery carries: distinct per cell, a function of the cell alone.</summary>
    private static float First(int x, int y) => ((x * 7919 + y * 104_729) % 1000) / 1000f;

    private static float Other(int x, int y) => 1 - First(x, y);

    private static WorkResult Result(WorkItem item, Func<int, int, float> value) => new(
        item.SlideKey, item.BatchIndex, item.CellX.Select((x, i) => value(x, item.CellY[i])).ToArray(), "test/cpu:0", 0, 0, item.CellX, item.CellY);

    private async Task<long> RowCountAsync(string slideKey)
    {
        await using var command = _database.CreateCommand("SELECT count(*) FROM opath_batch_results WHERE slide_key = $1");
        command.Parameters.AddWithValue(slideKey);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
