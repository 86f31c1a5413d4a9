using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Npgsql;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Tests.Postgres;

/// <summary>The tests that share one PostgreSQL server; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// A real PostgreSQL 15 server for the tests, started with <c>scripts/postgres.sh</c> on a free loopback port in a
/// fresh temporary directory, and stopped and removed when the tests end. Each test that needs a clean slate gets
/// its own database from <see cref="CreateDatabaseAsync"/>; <see cref="SharedSiloAsync"/> is one silo on one
/// database for the tests that only need a running cluster.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    /// <summary>The application role that <c>scripts/postgres.sh</c> creates (its default).</summary>
    public const string AppRole = "opath";

    private readonly SemaphoreSlim _sharedSiloGate = new(1, 1);
    private TestSilo? _sharedSilo;
    private string? _sharedDatabase;

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"opath-pg-{Guid.NewGuid():N}");
    public int Port { get; } = TestPorts.Next();

    /// <summary>A fresh password per run, handed to the script through OPATH_PG_PASSWORD.</summary>
    public string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Superuser access through the server's private Unix socket (trusted, never over TCP).</summary>
    private string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Path.Combine(Dir, "socket"), Port = Port, Username = "postgres", Database = "postgres", Pooling = false,
    }.ConnectionString;

    public async Task InitializeAsync()
    {
        var (code, output) = await RunScriptAsync("start", Dir, Port.ToString());
        if (code != 0)
        {
            throw new InvalidOperationException($"scripts/postgres.sh start {Dir} {Port} failed ({code}):\n{output}");
        }
    }

    /// <summary>Stops the server and starts it again on the same port (a database restart, as an operator's or a crash's).</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        var (code, output) = await RunScriptAsync("stop", Dir);
        if (code != 0) throw new InvalidOperationException($"scripts/postgres.sh stop {Dir} failed ({code}):\n{output}");
        await Task.Delay(down);
        await InitializeAsync();
        // This process's pooled connections died with the server: the next command would fail on one (57P01).
        NpgsqlConnection.ClearAllPools();
    }

    public async Task DisposeAsync()
    {
        if (_sharedSilo is not null) await _sharedSilo.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await RunScriptAsync("stop", Dir);
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing the run for.
        }
    }

    /// <summary>The application role's connection string for <paramref name="database"/>, over TCP with a password.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Database = database, Username = AppRole, Password = Password,
    }.ConnectionString;

    /// <summary>Creates an empty database owned by the application role and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER {AppRole}", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Creates a database and applies the Orleans schema to it.</summary>
    public async Task<string> CreateOrleansDatabaseAsync(string prefix)
    {
        var connectionString = await CreateDatabaseAsync(prefix);
        await SchemaInstaller.ApplyAsync(connectionString, CancellationToken.None);
        return connectionString;
    }

    /// <summary>One silo on one schema-ready database, started on first use and stopped with the server.</summary>
    public async Task<TestSilo> SharedSiloAsync()
    {
        await _sharedSiloGate.WaitAsync();
        try
        {
            _sharedDatabase ??= await CreateOrleansDatabaseAsync("shared");
            _sharedSilo ??= await TestSilo.StartAsync(_sharedDatabase, clusterId: "shared");
            return _sharedSilo;
        }
        finally
        {
            _sharedSiloGate.Release();
        }
    }

    private async Task<(int Code, string Output)> RunScriptAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ScriptPath());
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["OPATH_PG_PASSWORD"] = Password;
        start.Environment["OPATH_PG_USER"] = AppRole;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// scripts/postgres.sh of the checkout these tests were compiled from (the build output may live anywhere,
    /// e.g. under --artifacts-path); OPATH_REPO_ROOT overrides it.
    /// </summary>
    private static string ScriptPath([CallerFilePath] string sourceFile = "")
    {
        var root = Environment.GetEnvironmentVariable("OPATH_REPO_ROOT");
        if (string.IsNullOrEmpty(root)) root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile)!, "..", ".."));
        var script = Path.Combine(root, "scripts", "postgres.sh");
        return File.Exists(script)
            ? script
            : throw new FileNotFoundException($"scripts/postgres.sh not found under {root}; set OPATH_REPO_ROOT", script);
    }
}
