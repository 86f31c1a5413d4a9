using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace OrleansPathology.Silo.Api;

/// <summary>An API error body: one line saying what was wrong.</summary>
public sealed record ApiError(string Error);

/// <summary>How the API writes JSON (camelCase, enums by name) and its errors.</summary>
public static class ApiErrors
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary><paramref name="status"/> with <c>{"error": message}</c>, the message cut to its first line.</summary>
    public static IResult Error(int status, string message) =>
        Results.Json(new ApiError(message.Split('\n')[0].TrimEnd('\r')), Json, statusCode: status);

    /// <summary>
    /// An endpoint filter that turns what went wrong behind an endpoint into one JSON line: bad input 400, a cluster that
    /// does not answer in time 503, anything else 500.
    /// </summary>
    public static async ValueTask<object?> CatchAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ArgumentException ex)
        {
            return Error(StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (Exception ex) when (ex is TimeoutException or Orleans.Runtime.OrleansException)
        {
            return Error(StatusCodes.Status503ServiceUnavailable, $"the cluster did not answer: {ex.Message}");
        }
        catch (Exception ex) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Error(StatusCodes.Status500InternalServerError, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    public static IResult Ok<T>(T value, int status = StatusCodes.Status200OK) => Results.Json(value, Json, statusCode: status);
}
