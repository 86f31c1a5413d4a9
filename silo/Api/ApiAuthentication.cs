using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansPathology.Silo.Api;

/// <summary>
/// The API's gate: a request passes with <c>Authorization: Bearer TOKEN</c>, with the dashboard's session cookie, or
/// anonymously where <see cref="ApiOptions.AllowAnonymous"/> says so; otherwise 401 with a one-line JSON error and
/// <c>WWW-Authenticate: Bearer</c>.
/// </summary>
public static class ApiAuthentication
{
    /// <summary>The dashboard's session cookie (HttpOnly, SameSite=Strict).</summary>
    public const string SessionCookie = "opath_session";

    /// <summary>Whether <paramref name="http"/> carries a valid credential (or needs none).</summary>
    public static bool IsAuthenticated(HttpContext http, ApiToken token)
    {
        if (token.AllowAnonymous) return true;
        if (BearerOf(http.Request) is { } bearer) return token.Matches(bearer);
        return token.IsSession(http.Request.Cookies[SessionCookie]);
    }

    /// <summary>Why <paramref name="http"/> was refused, in one line.</summary>
    public static string Refusal(HttpContext http, ApiToken token) =>
        !token.IsConfigured ? "this silo has no API token (set Api:Token or Api:TokenFile, or Api:AllowAnonymous=true)"
        : BearerOf(http.Request) is not null ? "the bearer token is not valid"
        : "a bearer token is required (Authorization: Bearer TOKEN)";

    /// <summary>An endpoint filter that answers 401 to a request without a valid credential.</summary>
    public static async ValueTask<object?> RequireAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var token = http.RequestServices.GetRequiredService<ApiToken>();
        if (IsAuthenticated(http, token)) return await next(context);
        http.Response.Headers.WWWAuthenticate = "Bearer realm=\"opath\"";
        return ApiErrors.Error(StatusCodes.Status401Unauthorized, Refusal(http, token));
    }

    private static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
