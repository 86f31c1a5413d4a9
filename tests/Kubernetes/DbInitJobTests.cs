using System.Diagnostics;
using k8s.Models;
using Npgsql;
using OrleansPathology.Client;
using OrleansPathology.Silo.Database;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Kubernetes;

/// <summary>
/// The schema-init job as the kubelet would run it: the client's <c>opath</c> process with the job's arguments and
/// exactly the environment the manifests give it, against a real PostgreSQL server. The connection string carries
/// no password; the Secret's value arrives as <c>PGPASSWORD</c>, which Npgsql reads.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DbInitJobTests(PostgresServerFixture server)
{
    [Fact]
    public async Task The_db_init_job_applies_the_schema_with_the_password_from_the_secret_alone()
    {
        var m = Manifests.Overlay("trial");
        var job = m.PodTemplates().Single(p => p.Owner == "Job/opath-db-init");
        var container = job.Spec.Containers.Single();
        var env = PodEnvironment.Resolve(m, job.Owner, container, OverlayTests.PodOf(job, "opath-trial"), OverlayTests.Secrets(server.Password));
        // Only the server's address and a fresh database differ from the cluster: the manifest's user, no password.
        var manifestConnection = new NpgsqlConnectionStringBuilder(env["OPATH_CONNECTION_STRING"]);
        Assert.Null(manifestConnection.Password);
        Assert.Equal(PostgresServerFixture.AppRole, manifestConnection.Username);
        var database = new NpgsqlConnectionStringBuilder(await server.CreateDatabaseAsync("k8s_db_init"));
        env["OPATH_CONNECTION_STRING"] = new NpgsqlConnectionStringBuilder(env["OPATH_CONNECTION_STRING"])
        {
            Host = database.Host, Port = database.Port, Database = database.Database,
        }.ConnectionString;

        var withSecret = await RunOpathAsync(container.Args, env);
        env.Remove("PGPASSWORD");
        var withoutSecret = await RunOpathAsync(container.Args, env);

        Assert.True(withSecret.Exit == ExitCodes.Success, withSecret.Output);
        Assert.Contains($"applied {SchemaInstaller.Scripts.Count} of {SchemaInstaller.Scripts.Count} scripts", withSecret.Output);
        Assert.DoesNotContain(server.Password, withSecret.Output);
        Assert.Equal(ExitCodes.Failure, withoutSecret.Exit);
        Assert.Contains("password", withoutSecret.Output, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Runs <c>dotnet opath.dll ARGS</c> with only <paramref name="env"/> on top of a clean environment.</summary>
    private static async Task<(int Exit, string Output)> RunOpathAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var dll = typeof(OpathCommand).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Nothing of this process's own settings reaches the job: no Section__Key, no PG*, no OPATH_*.
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("PG", StringComparison.Ordinal) || k.StartsWith("OPATH_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in env) start.Environment[key] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
