using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansPathology.Silo.Api;

namespace OrleansPathology.Silo.Dashboard;

/// <summary>
/// The web dashboard at <c>/</c>: static HTML and JavaScript embedded in this assembly (no build step) that polls the
/// API. A browser signs in with the API token, in the sign-in form or once as <c>/?token=TOKEN</c>; either way it gets
/// an HttpOnly, SameSite=Strict session cookie (an HMAC of the token) and the token leaves the address bar.
/// </summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapPathologyDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http, ApiToken token) => Home(http, token));
        app.MapPost("/signin", async (HttpContext http, ApiToken token) =>
        {
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync() : null;
            var presented = form?["token"].ToString();
            if (!token.Matches(presented)) return SignIn(StatusCodes.Status401Unauthorized, "That token is not valid.");
            StartSession(http, token);
            return Results.Redirect("/", permanent: false);
        });
        app.MapPost("/signout", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(ApiAuthentication.SessionCookie);
            return Results.Redirect("/", permanent: false);
        });
        app.MapGet("/dashboard.js", () => Results.Text(Asset("dashboard.js"), "text/javascript"));
        return app;
    }

    private static IResult Home(HttpContext http, ApiToken token)
    {
        var query = http.Request.Query["token"].ToString();
        if (query.Length > 0)
        {
            if (!token.Matches(query)) return SignIn(StatusCodes.Status401Unauthorized, "The token in the address is not valid.");
            // The token moves into a cookie; the redirect takes it out of the address bar and the history.
            StartSession(http, token);
            return Results.Redirect("/", permanent: false);
        }
        if (!ApiAuthentication.IsAuthenticated(http, token))
            return SignIn(StatusCodes.Status200OK, token.IsConfigured ? "" : "This silo has no API token configured (Api:Token or Api:TokenFile).");
        return Results.Content(Asset("index.html"), "text/html; charset=utf-8");
    }

    private static void StartSession(HttpContext http, ApiToken token) =>
        http.Response.Cookies.Append(ApiAuthentication.SessionCookie, token.SessionValue(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
        });

    private static IResult SignIn(int status, string message) =>
        Results.Content(Asset("signin.html").Replace("{{message}}", WebUtility.HtmlEncode(message)), "text/html; charset=utf-8", statusCode: status);

    private static string Asset(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"OrleansPathology.Silo.Dashboard.{name}")
            ?? throw new InvalidOperationException($"the dashboard asset {name} is not embedded in {typeof(DashboardEndpoints).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
