using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// A database password never shows in a log line or an error message: a silo and a client that the real PostgreSQL
/// server turns away for a wrong password report the failure in full, every log level captured, and the password
/// appears nowhere.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SecretRedactionTests(PostgresServerFixture server) : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-secrets");

    // Unique, so that finding it anywhere means it leaked from this test.
    private readonly string _password = $"wrong-{Guid.NewGuid():N}";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_silo_turned_away_by_the_database_logs_and_throws_without_the_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Password = _password }.ConnectionString;

        var (logs, error) = await StartSiloAsync(new() { ["Silo:ConnectionString"] = connectionString });

        AssertRefusedWithoutPassword(logs, error);
    }

    [Fact]
    public async Task A_password_from_a_secret_file_is_used_and_kept_out_of_logs_and_errors()
    {
        var file = Path.Combine(_dir, "db-password");
        File.WriteAllText(file, _password + "\n");
        var withoutPassword = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Password = null }.ConnectionString;

        var (logs, error) = await StartSiloAsync(new()
        {
            ["Silo:ConnectionString"] = withoutPassword,
            ["Silo:DatabasePasswordFile"] = file,
        });

        // The server checked the file's password (it found no password missing) and refused it.
        AssertRefusedWithoutPassword(logs, error);
    }

    [Fact]
    public async Task A_client_turned_away_by_the_database_reports_it_without_the_password()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Password = _password }.ConnectionString;

        var error = await Assert.ThrowsAsync<ClusterUnavailableException>(() =>
            ClusterSession.ConnectAsync(new ClusterTarget(ClusterKind.Postgres, ConnectionString: connectionString), CancellationToken.None));

        Assert.Contains("Password=***", error.Message);
        Assert.DoesNotContain(_password, error.ToString());
    }

    private async Task<(IReadOnlyList<string> Logs, Exception Error)> StartSiloAsync(Dictionary<string, string?> settings)
    {
        var logs = new CapturedLogs();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Silo:Clustering"] = "postgres",
            ["Silo:Storage"] = "postgres",
            ["Silo:SiloPort"] = TestPorts.Next().ToString(),
            ["Silo:GatewayPort"] = TestPorts.Next().ToString(),
            ["Workers:SiloName"] = "secrets",
            ["Workers:Devices:0"] = "cpu:0",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        // Give up joining soon: the database will not let the silo in.
        builder.AddPathologySilo(silo => silo.Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(5)));
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(timeout.Token));
        return (logs.Lines, error);
    }

    private void AssertRefusedWithoutPassword(IReadOnlyList<string> logs, Exception error)
    {
        // The failure is reported, with the server's reason, so the search below looked at the lines that matter.
        Assert.Contains(logs, line => line.Contains("password authentication failed", StringComparison.Ordinal));
        // Orleans logs its options at start: the connection string is among them, redacted.
        Assert.Contains(logs, line => line.Contains("ConnectionString: REDACTED", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, line => line.Contains(_password, StringComparison.Ordinal));
        Assert.DoesNotContain(_password, error.ToString());
    }
}
