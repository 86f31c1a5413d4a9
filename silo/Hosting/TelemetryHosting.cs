using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using OrleansPathology.Grains.Telemetry;

namespace OrleansPathology.Silo.Hosting;

/// <summary>Where traces and metrics go. Section <c>Telemetry</c>; every key also reads from <c>Telemetry__Key</c> environment variables.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Comma-separated exporters: <c>otlp</c> (traces and metrics to <see cref="OtlpEndpoint"/>), <c>prometheus</c> (metrics
    /// at <c>/metrics</c> on the silo's <c>Silo:HealthPort</c>), <c>console</c> (both to stdout), or <c>none</c>. Default:
    /// <c>prometheus</c> in a silo process, none in <c>opath</c> (whose embedded silo has no HTTP port).
    /// </summary>
    public string? Exporters { get; set; }

    /// <summary>
    /// OTLP collector endpoint, e.g. <c>http://otel-collector:4317</c> (gRPC). Default: the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable, else <c>http://localhost:4317</c>.
    /// </summary>
    public string? OtlpEndpoint { get; set; }
}

/// <summary>The exporters a host was configured with (registered by <see cref="TelemetryHosting.AddPathologyTelemetry"/>).</summary>
public sealed record TelemetryExporters(IReadOnlySet<string> Names)
{
    public bool Prometheus => Names.Contains(TelemetryHosting.Prometheus);
}

/// <summary>
/// OpenTelemetry for a silo or the <c>opath</c> client: this system's spans and instruments
/// (<see cref="PathologyTelemetry.Name"/>), Orleans' meter and its grain-call spans within those traces, sent to the
/// exporters <see cref="TelemetryOptions"/> names. With no exporter nothing listens, and spans cost nothing.
/// </summary>
public static class TelemetryHosting
{
    public const string Otlp = "otlp";
    public const string Prometheus = "prometheus";
    public const string Console = "console";

    /// <summary>The <c>service.name</c> of silo processes.</summary>
    public const string SiloService = "opath-silo";

    /// <summary>The <c>service.name</c> of the <c>opath</c> client.</summary>
    public const string ClientService = "opath";

    /// <summary>
    /// Adds the <see cref="PathologyMetrics"/> instruments and, when <see cref="TelemetryOptions.Exporters"/> (or
    /// <paramref name="defaultExporters"/>) names any, an OpenTelemetry tracer and meter provider exporting them.
    /// </summary>
    /// <param name="builder">The host.</param>
    /// <param name="serviceName">The resource's <c>service.name</c>.</param>
    /// <param name="defaultExporters">Exporters when the configuration names none.</param>
    /// <param name="canServePrometheus">Whether this host serves <c>/metrics</c> (a silo process does; <c>opath</c> does not).</param>
    /// <param name="traceAlways">Set up tracing even without a trace exporter (for a host that adds its own, a test's say).</param>
    public static IHostApplicationBuilder AddPathologyTelemetry(
        this IHostApplicationBuilder builder, string serviceName, string defaultExporters, bool canServePrometheus, bool traceAlways = false)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var exporters = ParseExporters(options.Exporters ?? defaultExporters, canServePrometheus);
        builder.Services.TryAddSingleton<PathologyMetrics>();
        builder.Services.AddSingleton(new TelemetryExporters(exporters));
        if (exporters.Count == 0) return builder;

        Uri? otlpEndpoint = null;
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint) && !Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out otlpEndpoint))
            throw Invalid($"Telemetry:OtlpEndpoint must be an absolute URI such as http://collector:4317 (got '{options.OtlpEndpoint}')");

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: builder.Configuration["Workers:SiloName"]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PathologyTelemetry.Name, PathologyTelemetry.OrleansMeter);
                if (exporters.Contains(Otlp)) metrics.AddOtlpExporter(o => UseEndpoint(o, otlpEndpoint));
                if (exporters.Contains(Prometheus)) metrics.AddPrometheusExporter();
                if (exporters.Contains(Console)) metrics.AddConsoleExporter();
            });
        // Spans are made only while a tracer listens: none when no exporter takes them (Prometheus takes metrics only).
        if (exporters.Contains(Otlp) || exporters.Contains(Console) || traceAlways)
        {
            telemetry.WithTracing(tracing =>
            {
                // Orleans files a grain call under its Runtime source when the interface's namespace starts with
                // "Orleans", as OrleansPathology.Grains does: both sources are needed for this system's grain calls.
                tracing.SetSampler(new PathologyTraceSampler())
                    .AddSource(PathologyTelemetry.Name, ActivitySources.ApplicationGrainActivitySourceName,
                        ActivitySources.RuntimeActivitySourceName, ActivitySources.StorageActivitySourceName);
                if (exporters.Contains(Otlp)) tracing.AddOtlpExporter(o => UseEndpoint(o, otlpEndpoint));
                if (exporters.Contains(Console)) tracing.AddConsoleExporter();
            });
        }
        return builder;
    }

    /// <summary>The exporter names in <paramref name="text"/>; an error naming the setting for an unknown one.</summary>
    public static IReadOnlySet<string> ParseExporters(string text, bool canServePrometheus)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant()).Where(n => n != "none").ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(n => n is not (Otlp or Prometheus or Console)).ToList();
        if (unknown.Count > 0)
            throw Invalid($"Telemetry:Exporters lists '{string.Join("', '", unknown)}'; use otlp, prometheus, console or none (got '{text}')");
        if (!canServePrometheus && names.Contains(Prometheus))
            throw Invalid("Telemetry:Exporters lists prometheus, but only a silo process serves /metrics (on Silo:HealthPort); use otlp or console here");
        return names;
    }

    // Unset, the exporter keeps its own default (OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4317).
    private static void UseEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions options, Uri? endpoint)
    {
        if (endpoint is not null) options.Endpoint = endpoint;
    }

    private static OptionsValidationException Invalid(string message) =>
        new(TelemetryOptions.SectionName, typeof(TelemetryOptions), [message]);

    /// <summary>
    /// Records every span of this system (cohort, slide, batch) and, inside their traces, Orleans' grain-call spans;
    /// drops the traces Orleans would otherwise start on its own (each silo's read of the work directory every second).
    /// </summary>
    private sealed class PathologyTraceSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters)
        {
            if (parameters.Name.StartsWith("opath.", StringComparison.Ordinal)) return new SamplingResult(SamplingDecision.RecordAndSample);
            var parent = parameters.ParentContext;
            return parent.TraceId != default && parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                ? new SamplingResult(SamplingDecision.RecordAndSample)
                : new SamplingResult(SamplingDecision.Drop);
        }
    }
}
