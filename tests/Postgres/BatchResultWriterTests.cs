using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;

namespace OrleansPathology.Tests.Postgres;

/// <summary>
/// The per-silo writer stores many maps' results in one statement; a result the real PostgreSQL refuses for good (a
/// slide key longer than its column) must fail its own batch only, not the other batches that shared its group.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BatchResultWriterTests(PostgresServerFixture server)
{
    private static readonly BatchCells Cells = new([1, 2], [3, 4], [0.25f, 0.75f]);

    [Fact]
    public async Task A_refused_result_fails_its_own_batch_and_the_rest_of_its_group_is_stored()
    {
        await using var database = NpgsqlDataSource.Create(await server.CreateOrleansDatabaseAsync("refused"));
        var store = new PostgresBatchResultStore(database);
        // A long linger, so the three results surely travel in one group.
        var options = Options.Create(new PathologyGrainOptions { ResultGroupDelay = TimeSpan.FromMilliseconds(300) });
        await using var writer = new BatchResultWriter(store, options, TimeProvider.System, NullLogger<BatchResultWriter>.Instance);

        var first = writer.AddAsync("c/a", 0, Cells);
        var refused = writer.AddAsync("c/" + new string('x', 600), 0, Cells);
        var last = writer.AddAsync("c/b", 7, Cells);

        Assert.True(await first);
        Assert.True(await last);
        var error = await Assert.ThrowsAsync<BatchRefusedException>(() => refused);
        Assert.Contains("too long", error.Message);
        Assert.Equal(1, writer.Groups - 3); // one group, then each of its three alone
        await using var count = database.CreateCommand("SELECT count(*) FROM opath_batch_results");
        Assert.Equal(2L, (long)(await count.ExecuteScalarAsync())!);
        // A batch stored before is reported as such, alone or in a group.
        Assert.False(await writer.AddAsync("c/a", 0, Cells));
    }
}
