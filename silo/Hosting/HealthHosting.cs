using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansPathology.Silo.Api;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// A silo process's HTTP endpoints on <see cref="SiloHostOptions.HealthPort"/>: <c>/healthz</c> (liveness: the process
/// answers), <c>/ready</c> (readiness: <see cref="SiloReadiness"/>) and <c>/metrics</c> (Prometheus, when
/// <c>Telemetry:Exporters</c> lists it). Kubernetes probes and scrapes exactly these paths. The HTTP API
/// (<c>/api/v1</c>) and the dashboard (<c>/</c>) share the port.
/// </summary>
public static class HealthHosting
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/ready";
    public const string MetricsPath = "/metrics";

    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    /// <summary>Kestrel on <c>Silo:HealthPort</c> (any address; 0: no HTTP server at all) and the health checks.</summary>
    public static WebApplicationBuilder AddSiloEndpoints(this WebApplicationBuilder builder)
    {
        var host = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        builder.Services.AddSingleton<SiloReadiness>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloReadiness>());
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("the silo process answers"), [LiveTag])
            .AddCheck<SiloReadiness>("silo", tags: [ReadyTag]);
        builder.AddPathologyApi();
        if (host.HealthPort == 0) builder.Services.AddSingleton<IServer, NoHttpServer>();
        else builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(host.HealthPort));
        return builder;
    }

    /// <summary>Maps <c>/healthz</c>, <c>/ready</c> and, when Prometheus is an exporter, <c>/metrics</c>.</summary>
    public static WebApplication MapSiloEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        if (app.Services.GetService<TelemetryExporters>() is { Prometheus: true }) app.MapPrometheusScrapingEndpoint(MetricsPath);
        // The HTTP API under /api/v1 and the dashboard at / (silo/Api, silo/Dashboard).
        app.MapPathologyApi();
        return app;
    }

    /// <summary><c>Silo:HealthPort=0</c>: the web host runs without listening anywhere.</summary>
    private sealed class NoHttpServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
