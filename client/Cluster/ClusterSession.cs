using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Silo;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// A cluster for one command: either a silo started in this process (<see cref="ClusterKind.Embedded"/>; the
/// process is the cluster, its state dies with it) or a client connected to an external one.
/// <see cref="Client"/> is how grains are reached either way.
/// </summary>
internal sealed class ClusterSession : IAsyncDisposable
{
    /// <summary>How long a silo or client may take to start.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);

    /// <summary>How long stopping may take: an embedded silo drains its workers first.</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Attempts to reach a gateway before giving up, a second apart: enough for a silo that is still starting.</summary>
    private const int ConnectAttempts = 5;

    /// <summary>Starts of an embedded cluster tried before a taken port fails the command.</summary>
    private const int PortAttempts = 3;

    private static readonly TimeSpan ConnectRetryDelay = TimeSpan.FromSeconds(1);

    private readonly IHost _host;

    private ClusterSession(IHost host, ClusterTarget target)
    {
        _host = host;
        Target = target;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public ClusterTarget Target { get; }

    public IClusterClient Client { get; }

    /// <param name="embeddedSettings">Configuration for an embedded silo over the environment's (e.g. <c>Workers:Devices:0</c>); ignored for an external cluster.</param>
    public static Task<ClusterSession> OpenAsync(ClusterTarget target, CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? embeddedSettings = null) =>
        target.Kind == ClusterKind.Embedded ? StartEmbeddedAsync(cancellationToken, embeddedSettings) : ConnectAsync(target, cancellationToken);

    /// <summary>
    /// Starts a one-process cluster: <see cref="PathologySiloExtensions.AddPathologySilo"/> with localhost clustering,
    /// memory storage and free loopback ports (so it never collides with a silo already running here). Other settings
    /// (<c>Workers__Devices__0=cuda:0</c>, <c>Pathology__DataRoots__0</c>, <c>Logging__LogLevel__Default</c>) come from
    /// the environment as for a silo process.
    /// </summary>
    public static Task<ClusterSession> StartEmbeddedAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null) =>
        StartEmbeddedAsync(cancellationToken, settings, FreeLoopbackPort);

    /// <summary>
    /// As <see cref="StartEmbeddedAsync(CancellationToken, IReadOnlyDictionary{string, string?}?)"/>, ports from
    /// <paramref name="freePort"/>. They are free when chosen, not when the silo binds them: another process can take one
    /// in between (a port the kernel hands out for port 0 serves outgoing connections too), so a start that finds its
    /// port taken tries again with new ones.
    /// </summary>
    internal static async Task<ClusterSession> StartEmbeddedAsync(
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings, Func<int> freePort)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartEmbeddedOnceAsync(cancellationToken, settings, freePort(), freePort());
            }
            catch (ClusterUnavailableException ex) when (attempt < PortAttempts && PortTaken(ex))
            {
            }
        }
    }

    private static async Task<ClusterSession> StartEmbeddedOnceAsync(
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings, int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{SiloHostOptions.SectionName}:{nameof(SiloHostOptions.Clustering)}"] = "localhost",
            [$"{SiloHostOptions.SectionName}:{nameof(SiloHostOptions.Storage)}"] = "memory",
            [$"{SiloHostOptions.SectionName}:{nameof(SiloHostOptions.SiloPort)}"] = siloPort.ToString(),
            [$"{SiloHostOptions.SectionName}:{nameof(SiloHostOptions.GatewayPort)}"] = gatewayPort.ToString(),
        });
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        ConfigureLogging(builder, orleansLevel: LogLevel.Error);
        builder.AddPathologySilo();
        AddTelemetry(builder);
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        return await StartAsync(builder.Build(), ClusterTarget.Embedded, cancellationToken);
    }

    /// <summary>Connects a client to the silos at <paramref name="target"/> (localhost gateway or PostgreSQL membership).</summary>
    /// <param name="target">Where the cluster is.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="settings">Settings over the environment's (<c>Client:Tls:CertificatePath</c>, ...); tests pass them here.</param>
    public static async Task<ClusterSession> ConnectAsync(
        ClusterTarget target, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        // The ids must match the silos'; they read Silo__ClusterId / Silo__ServiceId, and so does the client.
        var ids = new ConfigurationBuilder().AddEnvironmentVariables().Build()
            .GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddEnvironmentVariables();
        if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
        // A gateway that cannot be reached is reported once, by this command, not by the client's logger too.
        ConfigureLogging(builder, orleansLevel: LogLevel.Critical);
        AddTelemetry(builder);
        builder.UseOrleansClient(client =>
        {
            if (target.Kind == ClusterKind.Postgres)
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ids.ClusterId, ids.ServiceId));
                client.UsePostgresClustering(target.ConnectionString!);
            }
            else
            {
                client.UseLocalhostClustering(target.GatewayPort, serviceId: ids.ServiceId, clusterId: ids.ClusterId);
            }
            client.UseConnectionRetryFilter(new BoundedConnectionRetry(ConnectAttempts, ConnectRetryDelay).ShouldRetryAsync);
            client.AddActivityPropagation();
            client.UseConfiguredTls(builder.Configuration);
        });
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        return await StartAsync(builder.Build(), target, cancellationToken);
    }

    public ICohortGrain Cohort(string cohortId) => Client.GetGrain<ICohortGrain>(cohortId);

    /// <summary>Submits a cohort under an <c>opath.submit</c> span, the root of the cohort's trace when telemetry is on.</summary>
    public async Task<CohortStatus> SubmitAsync(CohortSpec spec, CancellationToken cancellationToken)
    {
        using var span = PathologyTelemetry.Source.StartActivity("opath.submit", ActivityKind.Client);
        span?.SetTag(PathologyTelemetry.Attributes.Cohort, spec.CohortId);
        return await Cohort(spec.CohortId).SubmitAsync(spec).WaitAsync(cancellationToken);
    }

    /// <summary>The cohort's status, or <see cref="CohortNotFoundException"/> naming this cluster.</summary>
    public async Task<CohortStatus> StatusAsync(string cohortId, CancellationToken cancellationToken) =>
        await Cohort(cohortId).GetStatusAsync().WaitAsync(cancellationToken) ?? throw NotFound(cohortId);

    public CohortNotFoundException NotFound(string cohortId) =>
        new(cohortId, $"is not on the cluster at {Target} (was it submitted there? a cluster with memory storage forgets cohorts when it stops)");

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }

    private static async Task<ClusterSession> StartAsync(IHost host, ClusterTarget target, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await host.StartAsync(timeout.Token);
            return new ClusterSession(host, target);
        }
        catch (Exception ex)
        {
            host.Dispose();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
            var message = ConnectionStrings.Scrub(ex.Message, target.ConnectionString);
            throw target.Kind == ClusterKind.Embedded
                ? new ClusterUnavailableException($"the embedded cluster did not start: {message}", ex)
                : new ClusterUnavailableException($"no cluster answered at {target}: {message} ({Hint(target)})", ex);
        }
    }

    private static string Hint(ClusterTarget target) => target.Kind == ClusterKind.Postgres
        ? "is the database reachable, its schema applied with `opath db init`, and a silo running with Silo:Clustering=postgres?"
        : "is a silo running? start one with `dotnet run --project silo`, or name another with --cluster";

    private sealed class BoundedConnectionRetry(int attempts, TimeSpan delay)
    {
        private int _failures;

        public async Task<bool> ShouldRetryAsync(Exception exception, CancellationToken cancellationToken)
        {
            if (++_failures >= attempts) return false;
            await Task.Delay(delay, cancellationToken);
            return true;
        }
    }

    // Telemetry__Exporters=otlp (or console) sends this command's traces and metrics too; none by default.
    private static void AddTelemetry(HostApplicationBuilder builder) =>
        builder.AddPathologyTelemetry(TelemetryHosting.ClientService, defaultExporters: "", canServePrometheus: false);

    private static void ConfigureLogging(HostApplicationBuilder builder, LogLevel orleansLevel)
    {
        // stdout belongs to the command (progress, JSON); logs go to stderr, warnings and up unless configured.
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", orleansLevel);
        builder.Logging.KeepOwnCategories(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Error);
        // A host that fails to start is reported by the command, in one line, not also as a logged stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
    }

    private static bool PortTaken(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) return true;
            if (e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
