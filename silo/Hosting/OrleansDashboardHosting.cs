using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// The Orleans Dashboard's settings, keys of section <c>Silo</c> (<c>Silo__OrleansDashboard=true</c>): grain-level
/// views (activations, calls, latencies per grain type and silo) for the developers of this system.
/// </summary>
public sealed class OrleansDashboardSettings
{
    /// <summary>The path under which the dashboard is served unless <see cref="OrleansDashboardPath"/> says otherwise.</summary>
    public const string DefaultPath = "/orleans";

    /// <summary>Serve the Orleans Dashboard on the silo's HTTP port (<c>Silo:HealthPort</c>). Default false.</summary>
    public bool OrleansDashboard { get; set; }

    /// <summary>Its path on that port. Default <c>/orleans</c>; not <c>/</c>, which is this system's own dashboard.</summary>
    public string OrleansDashboardPath { get; set; } = DefaultPath;
}

/// <summary>
/// Adds the Orleans Dashboard (Microsoft.Orleans.Dashboard) to a silo process when <c>Silo:OrleansDashboard</c> is true:
/// its grains and call profiling in the silo, its pages and JSON under <c>Silo:OrleansDashboardPath</c> beside
/// <c>/healthz</c> and <c>/metrics</c>. Off by default: the profiling costs every grain call a little, and the pages
/// show grain state to whoever reaches the port.
/// </summary>
public static class OrleansDashboardHosting
{
    private static readonly string[] TakenPaths = ["/", HealthHosting.LivenessPath, HealthHosting.ReadinessPath, HealthHosting.MetricsPath, "/api"];

    public static IHostApplicationBuilder AddOrleansDashboardWhenEnabled(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(SiloHostOptions.SectionName).Get<OrleansDashboardSettings>() ?? new OrleansDashboardSettings();
        if (!settings.OrleansDashboard) return builder;
        var path = settings.OrleansDashboardPath.TrimEnd('/');
        if (!settings.OrleansDashboardPath.StartsWith('/') || TakenPaths.Any(t => string.Equals(t, path.Length == 0 ? "/" : path, StringComparison.OrdinalIgnoreCase)))
            throw new OptionsValidationException(SiloHostOptions.SectionName, typeof(OrleansDashboardSettings),
                [$"Silo:OrleansDashboardPath must be a path such as {OrleansDashboardSettings.DefaultPath}, not one of {string.Join(", ", TakenPaths)} (got '{settings.OrleansDashboardPath}')"]);
        builder.Services.AddSingleton(Options.Create(new OrleansDashboardSettings { OrleansDashboard = true, OrleansDashboardPath = path }));
        // UseOrleans again configures the same silo builder that AddPathologySilo made.
        builder.UseOrleans(silo => silo.AddDashboard());
        return builder;
    }

    public static WebApplication MapOrleansDashboardWhenEnabled(this WebApplication app)
    {
        if (app.Services.GetService<IOptions<OrleansDashboardSettings>>()?.Value is { OrleansDashboard: true } settings)
            app.MapOrleansDashboard(routePrefix: settings.OrleansDashboardPath);
        return app;
    }
}
