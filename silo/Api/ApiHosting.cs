using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Silo.Dashboard;

namespace OrleansPathology.Silo.Api;

/// <summary>The HTTP API and dashboard beside the health endpoints, on <c>Silo:HealthPort</c>.</summary>
public static class ApiHosting
{
    /// <summary>Section <c>Api</c> and the token it names (a missing token file fails the silo's start, naming the file).</summary>
    public static WebApplicationBuilder AddPathologyApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.SectionName));
        builder.Services.AddSingleton<ApiToken>();
        return builder;
    }

    /// <summary>Maps <c>/api/v1/...</c> and the dashboard at <c>/</c>.</summary>
    public static WebApplication MapPathologyApi(this WebApplication app)
    {
        // Resolved now, so a bad Api:TokenFile stops the silo at start rather than at the first request.
        app.Services.GetRequiredService<ApiToken>();
        ApiEndpoints.MapPathologyApi(app);
        app.MapPathologyDashboard();
        return app;
    }
}
