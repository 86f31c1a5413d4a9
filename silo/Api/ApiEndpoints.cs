using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Api;

/// <summary>
/// The HTTP API under <see cref="Prefix"/> on <c>Silo:HealthPort</c>: the cluster, cohorts (list, submit, status, cancel,
/// results, heatmaps) and training runs, each a call or two to the grains that own them. Bodies are JSON (camelCase,
/// enums by name); errors are <c>{"error": "one line"}</c>: 400 bad input, 401 no valid token, 404 unknown cohort or run.
/// </summary>
public static class ApiEndpoints
{
    public const string Prefix = "/api/v1";

    /// <summary>Cohorts listed when the caller does not say how many.</summary>
    public const int DefaultCohorts = 50;

    public static IEndpointRouteBuilder MapPathologyApi(this IEndpointRouteBuilder app)
    {
        // The document describes the API and holds no data: it is served without a token.
        app.MapGet($"{Prefix}/openapi.json", () => Results.Text(OpenApiDocument.Json, "application/json"));

        var api = app.MapGroup(Prefix).AddEndpointFilter(ApiAuthentication.RequireAsync).AddEndpointFilter(ApiErrors.CatchAsync);
        api.MapGet("/cluster", async (IGrainFactory grains) =>
            ApiErrors.Ok(await Overview(grains).GetOverviewAsync()));
        api.MapGet("/cohorts", async (IGrainFactory grains, string? max) =>
        {
            var count = DefaultCohorts;
            if (max is not null && (!int.TryParse(max, out count) || count < 1))
                return ApiErrors.Error(StatusCodes.Status400BadRequest, $"max must be a positive whole number (got '{max}')");
            return ApiErrors.Ok(await Overview(grains).ListCohortsAsync(count));
        });
        api.MapPost("/cohorts", SubmitAsync);
        api.MapGet("/cohorts/{id}", async (IGrainFactory grains, string id) =>
            await grains.GetGrain<ICohortGrain>(id).GetStatusAsync() is { } status ? ApiErrors.Ok(status) : CohortNotFound(id));
        api.MapPost("/cohorts/{id}/cancel", async (IGrainFactory grains, string id) =>
            await grains.GetGrain<ICohortGrain>(id).CancelAsync() is { } status ? ApiErrors.Ok(status) : CohortNotFound(id));
        api.MapGet("/cohorts/{id}/results", async (IGrainFactory grains, string id) =>
            await grains.GetGrain<ICohortGrain>(id).GetStatusAsync() is { } status ? ApiErrors.Ok(CohortResults.Of(status)) : CohortNotFound(id));
        api.MapGet("/cohorts/{id}/slides/{slide}/heatmap", HeatmapAsync);
        api.MapGet("/training", async (IGrainFactory grains) => ApiErrors.Ok(await Overview(grains).ListTrainingAsync()));
        api.MapGet("/training/{run}", async (IGrainFactory grains, string run) =>
            await grains.GetGrain<ITrainingCoordinatorGrain>(run).GetStatusAsync() is { } status
                ? ApiErrors.Ok(status)
                : ApiErrors.Error(StatusCodes.Status404NotFound, $"training run '{run}' is not on this cluster"));
        return app;
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, IGrainFactory grains)
    {
        CohortRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<CohortRequest>(request.Body, ApiErrors.Json, request.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return ApiErrors.Error(StatusCodes.Status400BadRequest, $"the request body is not a cohort in JSON: {ex.Message}");
        }
        if (body is null) return ApiErrors.Error(StatusCodes.Status400BadRequest, "the request body is empty; send a cohort in JSON");
        try
        {
            var spec = body.ToSpec();
            var known = await grains.GetGrain<ICohortGrain>(spec.CohortId).GetStatusAsync() is not null;
            var status = await grains.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
            return ApiErrors.Ok(status, known ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }
        catch (ArgumentException ex)
        {
            return ApiErrors.Error(StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private static async Task<IResult> HeatmapAsync(IGrainFactory grains, string id, string slide)
    {
        if (await grains.GetGrain<ICohortGrain>(id).GetStatusAsync() is not { } status) return CohortNotFound(id);
        if (status.Slides.FirstOrDefault(s => s.SlideId == slide) is not { } progress)
            return ApiErrors.Error(StatusCodes.Status404NotFound, $"cohort '{id}' has no slide '{slide}'");
        return CohortResults.HeatmapOf(progress) is { } png
            ? Results.File(png, "image/png")
            : ApiErrors.Error(StatusCodes.Status404NotFound, $"slide '{slide}' of cohort '{id}' has no heatmap yet ({progress.State})");
    }

    private static IClusterOverviewGrain Overview(IGrainFactory grains) => grains.GetGrain<IClusterOverviewGrain>(ClusterOverviewKey.Key);

    private static IResult CohortNotFound(string id) =>
        ApiErrors.Error(StatusCodes.Status404NotFound, $"cohort '{id}' is not on this cluster");
}
