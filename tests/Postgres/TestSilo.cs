using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using OrleansPathology.Silo;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Tests.Postgres;

/// <summary>
/// A real Orleans silo in this process: loopback endpoints on free ports, membership and the grain storage
/// <see cref="StorageName"/> in PostgreSQL through <see cref="PostgresHosting"/>.
/// </summary>
public sealed class TestSilo : IAsyncDisposable
{
    /// <summary>The grain storage name the test grains use.</summary>
    public const string StorageName = "pg";

    /// <summary>
    /// A second storage on the same table, with Orleans' DeleteStateOnClear: clearing state deletes the row
    /// (query DeleteStorageKey) instead of emptying it.
    /// </summary>
    public const string DeletingStorageName = "pg-delete";

    /// <summary>The ServiceId all test silos share, so that state written by one is read by the next.</summary>
    public const string ServiceId = "opath-tests";

    private readonly IHost _host;
    private bool _stopped;

    private TestSilo(IHost host, string connectionString, string clusterId, int siloPort, int gatewayPort)
    {
        _host = host;
        ConnectionString = connectionString;
        ClusterId = clusterId;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public string ConnectionString { get; }
    public string ClusterId { get; }
    public int SiloPort { get; }
    public int GatewayPort { get; }
    public IServiceProvider Services => _host.Services;
    public IGrainFactory Grains => _host.Services.GetRequiredService<IGrainFactory>();

    public static async Task<TestSilo> StartAsync(string connectionString, string clusterId)
    {
        int siloPort = TestPorts.Next(), gatewayPort = TestPorts.Next();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleans(silo => silo
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = ServiceId;
            })
            .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort)
            .UsePostgresClustering(connectionString)
            .AddPostgresGrainStorage(StorageName, connectionString)
            .AddAdoNetGrainStorage(DeletingStorageName, (AdoNetGrainStorageOptions options) =>
            {
                options.Invariant = PostgresHosting.Invariant;
                options.ConnectionString = connectionString;
                options.GrainStorageSerializer = new GrainStateJsonSerializer();
                options.DeleteStateOnClear = true;
            }));
        var host = builder.Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await host.StartAsync(timeout.Token);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new TestSilo(host, connectionString, clusterId, siloPort, gatewayPort);
    }

    /// <summary>Stops the silo gracefully: it leaves the membership table as Dead.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
