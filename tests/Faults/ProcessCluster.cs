using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using OrleansPathology.Grains;
using OrleansPathology.Silo;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Faults;

/// <summary>A row of <c>opath_batch_results</c>: which batch of which slide was stored, and when.</summary>
public sealed record BatchRow(string SlideKey, int BatchIndex, DateTime CreatedAt);

/// <summary>
/// Silo processes on one PostgreSQL database (clustering and grain state there, each silo on its own loopback
/// ports with one CPU worker), and a client that finds them through the membership table. Disposing kills every
/// silo it started and stops the client, whether the test passed or not.
/// </summary>
public sealed class ProcessCluster(string connectionString, string workDirectory, IReadOnlyDictionary<string, string> pathology, string device = "cpu:0") : IAsyncDisposable
{
    /// <summary>Orleans' defaults, as <c>opath</c> assumes them when Silo__ClusterId / Silo__ServiceId are not set.</summary>
    public const string ClusterId = "opath", ServiceId = "opath";

    /// <summary>Batches in flight per worker (Workers:Concurrency, set explicitly here).</summary>
    public const int WorkerConcurrency = 2;

    /// <summary>A silo process starts in seconds; on a loaded 2-core machine (TorchSharp, Orleans, a join) it may take far longer.</summary>
    private static readonly TimeSpan SiloStartTimeout = TimeSpan.FromMinutes(2);

    private readonly List<SiloProcess> _silos = [];
    private IHost? _client;

    public string ConnectionString { get; } = connectionString;

    public IReadOnlyList<SiloProcess> Silos => _silos;

    /// <summary>Starts one silo process per name, all at once, and waits until each has joined and started its worker.</summary>
    public async Task<IReadOnlyList<SiloProcess>> StartSilosAsync(params string[] names)
    {
        Directory.CreateDirectory(workDirectory);
        var started = new List<SiloProcess>();
        foreach (var name in names)
        {
            var siloPort = TestPorts.Next();
            var settings = new Dictionary<string, string>
            {
                ["Silo__Clustering"] = "postgres",
                ["Silo__Storage"] = "postgres",
                ["Silo__ConnectionString"] = ConnectionString,
                ["Silo__ClusterId"] = ClusterId,
                ["Silo__ServiceId"] = ServiceId,
                ["Silo__SiloPort"] = siloPort.ToString(),
                ["Silo__GatewayPort"] = TestPorts.Next().ToString(),
                // Several silos on one machine: each its own health port (the default 8080 would collide).
                ["Silo__HealthPort"] = TestPorts.Next().ToString(),
                ["Workers__SiloName"] = name,
                ["Workers__Devices__0"] = device,
                ["Workers__Concurrency"] = WorkerConcurrency.ToString(),
                ["Workers__PollInterval"] = "00:00:00.200",
                // Warnings and up, plus what the wait points read: the host's start line and the pathology grains' log.
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
                ["Logging__LogLevel__OrleansPathology"] = "Information",
                // Every lease and every result a slide receives, so a test can account for the batches a killed worker held.
                ["Logging__LogLevel__OrleansPathology.Grains.Slides.SlideGrain"] = "Debug",
                ["Logging__LogLevel__OrleansPathology.Grains.Maps.MapAssemblyGrain"] = "Debug",
                // The survivors' line that they deactivate the grains whose directory entries the dead silo kept.
                ["Logging__LogLevel__Orleans.Runtime.GrainDirectory.LocalGrainDirectory"] = "Information",
                ["Logging__Console__FormatterOptions__SingleLine"] = "true",
                ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            };
            // The test's own settings last: they may override any of the above.
            foreach (var (key, value) in pathology) settings[key] = value;
            var silo = SiloProcess.Start(name, siloPort, settings, workDirectory);
            _silos.Add(silo);
            started.Add(silo);
        }
        await Task.WhenAll(started.Select(s => s.WaitStartedAsync(SiloStartTimeout)));
        return started;
    }

    /// <summary>A client on the membership table (as <c>opath --cluster postgres</c> connects).</summary>
    public async Task<IClusterClient> ConnectAsync()
    {
        if (_client is not null) return _client.Services.GetRequiredService<IClusterClient>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ServiceId))
            // A call to a silo that was just killed fails fast (connection refused); a short timeout bounds the rest.
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(15))
            .UsePostgresClustering(ConnectionString));
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await host.StartAsync(timeout.Token);
        _client = host;
        return host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>Stops the client: its gateways are about to go away with the whole cluster.</summary>
    public async Task DisconnectAsync()
    {
        if (_client is not { } host) return;
        _client = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A client whose gateways are gone may not stop politely; it is disposed all the same.
        }
        host.Dispose();
    }

    /// <summary>SIGTERM to every running silo at once; each drains and leaves the membership table as Dead.</summary>
    public async Task StopAllAsync(TimeSpan timeout) =>
        await Task.WhenAll(_silos.Where(s => !s.HasExited).Select(s => s.StopAsync(timeout)));

    /// <summary>Every stored batch of the cohort's slides.</summary>
    public async Task<IReadOnlyList<BatchRow>> BatchRowsAsync(string cohortId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT slide_key, batch_index, created_at FROM opath_batch_results WHERE slide_key LIKE $1 ORDER BY slide_key, batch_index", connection);
        command.Parameters.AddWithValue(cohortId + "/%");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<BatchRow>();
        while (await reader.ReadAsync()) rows.Add(new BatchRow(reader.GetString(0), reader.GetInt32(1), reader.GetDateTime(2)));
        return rows;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every 200 ms until it holds. Calls may fail while a silo is dying (its
    /// activations are unreachable until the survivors declare it dead): such failures are retried, and the last one
    /// is reported, with the silos' logs, if the condition does not hold within <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition()) return;
                last = null;
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                last = ex;
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what}" +
                    (last is null ? "" : $"; last error: {last.GetType().Name}: {last.Message}") + "\n" + Logs());
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits until the cohort is no longer running and returns its status.</summary>
    public async Task<CohortStatus> WaitForCohortAsync(IClusterClient client, string cohortId, TimeSpan timeout)
    {
        CohortStatus? status = null;
        await WaitUntilAsync(async () =>
        {
            status = await client.GetGrain<ICohortGrain>(cohortId).GetStatusAsync();
            return status is { State: not RunState.Running and not RunState.Pending };
        }, $"cohort {cohortId} to finish", timeout);
        // The first ended status seen: an ended cohort says when it ended, from the same answer.
        Assert.True(status!.FinishedAt >= status.SubmittedAt, $"cohort {cohortId} is {status.State} but finished at '{status.FinishedAt}' (submitted {status.SubmittedAt})");
        return status;
    }

    /// <summary>The tail of every silo's log, for failure messages.</summary>
    public string Logs() => string.Join('\n', _silos.Select(s => s.Tail()));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await DisconnectAsync();
        }
        finally
        {
            foreach (var silo in _silos) silo.Dispose();
        }
    }
}
