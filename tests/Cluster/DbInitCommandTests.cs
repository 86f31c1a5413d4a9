using OrleansPathology.Client;
using OrleansPathology.Silo.Database;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Cluster;

/// <summary><c>opath db init</c> against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class DbInitCommandTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Db_init_applies_every_script_once_then_reports_the_schema_up_to_date_without_printing_the_password()
    {
        var connectionString = await server.CreateDatabaseAsync("db_init_cli");

        var first = await ClientCommandTests.OpathAsync("db", "init", "--connection-string", connectionString);
        var second = await ClientCommandTests.OpathAsync("db", "init", "--connection-string", connectionString);

        Assert.True(first.Exit == ExitCodes.Success, first.Stderr);
        Assert.Equal(SchemaInstaller.Scripts.Select(s => $"applied {s.Name}"), first.Stdout.Split('\n').Where(l => l.StartsWith("applied 0")).Select(l => l.TrimEnd()));
        Assert.Contains($"applied {SchemaInstaller.Scripts.Count} of {SchemaInstaller.Scripts.Count} scripts to ", first.Stdout);
        Assert.Equal(ExitCodes.Success, second.Exit);
        Assert.StartsWith($"schema up to date ({SchemaInstaller.Scripts.Count} scripts) in ", second.Stdout);
        foreach (var output in new[] { first.Stdout, first.Stderr, second.Stdout, second.Stderr })
        {
            Assert.DoesNotContain(server.Password, output);
        }
        Assert.Contains("Password=***", second.Stdout);
    }
}
