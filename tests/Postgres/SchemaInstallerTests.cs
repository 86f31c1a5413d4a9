using Npgsql;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class SchemaInstallerTests(PostgresServerFixture server)
{
    [Fact]
    public void Scripts_AreTheEmbeddedSqlFiles_InFileNameOrder()
    {
        var names = SchemaInstaller.Scripts.Select(s => s.Name).ToList();

        Assert.Equal(["0001-orleans-main.sql", "0002-orleans-clustering.sql", "0003-orleans-persistence.sql"],
            names.Where(n => n.Contains("-orleans-")));
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task ApplyAsync_Twice_AppliesEveryScriptOnce_AndTheSecondRunIsANoOp()
    {
        var connectionString = await server.CreateDatabaseAsync("schema_twice");

        var first = await SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None);
        var recordedAfterFirst = await RecordedAsync(connectionString);
        var second = await SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None);

        Assert.Equal(SchemaInstaller.Scripts.Select(s => s.Name), first);
        Assert.Empty(second);
        Assert.Equal(recordedAfterFirst, await RecordedAsync(connectionString));
        Assert.Equal(SchemaInstaller.Scripts.Select(s => (s.Name, s.Sha256)), recordedAfterFirst.Select(r => (r.Name, r.Sha256)));
    }

    [Fact]
    public async Task ApplyAsync_StartedSideBySide_AppliesEachScriptExactlyOnce()
    {
        var connectionString = await server.CreateDatabaseAsync("schema_race");

        var runs = await Task.WhenAll(Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None))));

        // Every script was applied by exactly one of the installers, and all of them were applied.
        Assert.Equal(SchemaInstaller.Scripts.Select(s => s.Name).Order(),
            runs.SelectMany(applied => applied).Order());
        Assert.Equal(SchemaInstaller.Scripts.Count, (await RecordedAsync(connectionString)).Count);
    }

    [Fact]
    public async Task ApplyAsync_AfterAScriptChanged_AppliesThatScriptAgain_AndOnlyIt()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("schema_changed");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var tamper = new NpgsqlCommand(
                $"UPDATE {SchemaInstaller.MigrationsTable} SET sha256 = 'stale' WHERE script_name = '0002-orleans-clustering.sql'",
                connection);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var applied = await SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None);

        Assert.Equal(["0002-orleans-clustering.sql"], applied);
        Assert.Empty(await SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None));
    }

    private static async Task<List<(string Name, string Sha256, DateTime AppliedAt)>> RecordedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            $"SELECT script_name, sha256, applied_at FROM {SchemaInstaller.MigrationsTable} ORDER BY script_name", connection);
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new List<(string, string, DateTime)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2)));
        return rows;
    }
}
