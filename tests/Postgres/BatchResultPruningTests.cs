using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;

namespace OrleansPathology.Tests.Postgres;

/// <summary>
/// <c>opath_batch_results</c> is pruned by age (<see cref="PathologyGrainOptions.BatchResultRetention"/>), on the real
/// PostgreSQL server and schema: rows stored longer ago than the retention go, younger ones stay, and every silo's
/// <see cref="BatchResultPruner"/> does it by itself.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchResultPruningTests(PostgresServerFixture server)
{
    private static readonly BatchCells Cells = new([1, 2], [3, 4], [0.25f, 0.75f]);

    [Fact]
    public async Task Rows_older_than_the_retention_are_deleted_and_younger_rows_kept()
    {
        await using var database = NpgsqlDataSource.Create(await server.CreateOrleansDatabaseAsync("prune"));
        var store = new PostgresBatchResultStore(database);
        await SeedAsync(store, database);

        Assert.Equal(2, await store.PruneAsync(TimeSpan.FromDays(7)));

        Assert.Equal(["new/s:0", "new/s:1", "week/s:0"], await RowsAsync(database));
        Assert.Equal(0, await store.PruneAsync(TimeSpan.FromDays(7)));
    }

    [Fact]
    public async Task A_silos_pruner_deletes_old_rows_by_itself_and_a_zero_retention_keeps_everything()
    {
        await using var database = NpgsqlDataSource.Create(await server.CreateOrleansDatabaseAsync("pruner"));
        var store = new PostgresBatchResultStore(database);
        await SeedAsync(store, database);

        using (var keeping = Pruner(store, TimeSpan.Zero))
        {
            await keeping.StartAsync(CancellationToken.None);
            await keeping.ExecuteTask!; // returns at once: nothing to prune
        }
        Assert.Equal(5, (await RowsAsync(database)).Count);

        using var pruner = Pruner(store, TimeSpan.FromDays(7));
        await pruner.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await RowsAsync(database)).Count > 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the pruner did not delete the old rows within 30 s");
            await Task.Delay(100);
        }
        await pruner.StopAsync(CancellationToken.None);
        Assert.Equal(["new/s:0", "new/s:1", "week/s:0"], await RowsAsync(database));
    }

    private static BatchResultPruner Pruner(PostgresBatchResultStore store, TimeSpan retention) =>
        new(store, Options.Create(new PathologyGrainOptions { BatchResultRetention = retention }), TimeProvider.System,
            NullLogger<BatchResultPruner>.Instance, TimeSpan.FromMilliseconds(200));

    // Two fresh rows, one six days old, two stored eight and thirty days ago.
    private static async Task SeedAsync(PostgresBatchResultStore store, NpgsqlDataSource database)
    {
        foreach (var (key, index) in new[] { ("new/s", 0), ("new/s", 1), ("week/s", 0), ("old/s", 0), ("old/s", 1) })
            Assert.True(await store.TryAddAsync(key, index, Cells));
        await using var age = database.CreateCommand("""
            UPDATE opath_batch_results SET created_at = now() - CASE
                WHEN slide_key = 'week/s' THEN interval '6 days'
                WHEN batch_index = 0 THEN interval '8 days'
                ELSE interval '30 days' END
            WHERE slide_key <> 'new/s'
            """);
        Assert.Equal(3, await age.ExecuteNonQueryAsync());
    }

    private static async Task<List<string>> RowsAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand("SELECT slide_key || ':' || batch_index FROM opath_batch_results ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
