using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using OrleansPathology.Grains;

namespace OrleansPathology.Tests.Operations;

/// <summary>
/// The dashboard in a real browser: Debian's chromium, headless, loads <c>/?token=</c> (which becomes a session cookie),
/// runs the page's JavaScript against the API of a real silo process and dumps the DOM it drew.
/// </summary>
[Collection(OperatorClusterCollection.Name)]
public sealed partial class DashboardTests(OperatorClusterFixture cluster)
{
    [Fact]
    public async Task The_page_shows_a_running_cohort_and_updates_as_it_progresses()
    {
        await cluster.SubmitAsync(cluster.Cohort("dash", slides: 6));
        await cluster.WaitForCohortAsync("dash", s => s.Slides.Sum(x => x.CellsDone) > 0, "the first cells");

        var before = await DumpAsync($"?token={OperatorClusterFixture.Token}");

        var row = CohortRow().Match(before);
        Assert.True(row.Success, $"no row for cohort dash in the page:\n{before}");
        Assert.Equal("Running", row.Groups["state"].Value);
        var cellsBefore = long.Parse(row.Groups["cells"].Value);
        Assert.Matches(@"data-worker=""ops-a/sim:0""", before);
        Assert.Matches(@"data-worker=""ops-b/sim:0""", before);
        Assert.Matches(@"data-silo=""ops-a""", before);
        Assert.Equal(6, SlideTile().Matches(before).Count);

        // Wait point: a slide completed after the first look (its heatmap is served) and the cohort moved on.
        await cluster.WaitForCohortAsync("dash", s => s.Slides.Sum(x => x.CellsDone) > cellsBefore && s.Slides.Any(x => x.State == RunState.Completed), "a completed slide");
        var after = await DumpAsync($"?token={OperatorClusterFixture.Token}");

        var rowAfter = CohortRow().Match(after);
        Assert.True(rowAfter.Success, after);
        Assert.True(long.Parse(rowAfter.Groups["cells"].Value) > cellsBefore, $"cells done did not grow: {cellsBefore} then {rowAfter.Groups["cells"].Value}");
        Assert.Matches(@"data-cohort-slide=""dash"" data-slide=""cmu-\d"" data-state=""Completed""", after);
        Assert.Matches(@"<img class=""heatmap""[^>]*src=""/api/v1/cohorts/dash/slides/cmu-\d/heatmap""", after);
    }

    [Fact]
    public async Task Without_a_session_the_page_is_the_sign_in_form_and_a_wrong_token_is_refused()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = cluster.ApiBase };

        using var anonymous = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/signin\">", await anonymous.Content.ReadAsStringAsync());

        using var wrong = await http.GetAsync("/?token=nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("The token in the address is not valid.", await wrong.Content.ReadAsStringAsync());

        using var signedIn = await http.PostAsync("/signin", new FormUrlEncodedContent([new("token", OperatorClusterFixture.Token)]));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("opath_session=", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(OperatorClusterFixture.Token, cookie);

        // The cookie opens the API too (the dashboard's fetches carry it), and the page itself.
        var session = cookie.Split(';')[0];
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/v1/cohorts");
        api.Headers.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(api)).StatusCode);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", session);
        Assert.Contains("<script src=\"/dashboard.js\"></script>", await (await http.SendAsync(page)).Content.ReadAsStringAsync());
    }

    /// <summary>The DOM after the page's scripts ran for a while (virtual time: its polls run without waiting in real time).</summary>
    private async Task<string> DumpAsync(string query)
    {
        var profile = Path.Combine(cluster.Dir, $"chromium-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo(Chromium())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", $"--user-data-dir={profile}",
            "--virtual-time-budget=6000", "--dump-dom", new Uri(cluster.ApiBase, "/" + query).ToString(),
        })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 2 minutes: {await stderr}");
        }
        var dom = await stdout;
        Assert.True(process.ExitCode == 0 && dom.Contains("data-polls="), $"chromium exited {process.ExitCode} before the page polled:\n{await stderr}\n{dom}");
        return dom;
    }

    private static string Chromium() =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("chromium is not installed; scripts/setup.sh installs it (apt-get install chromium)");

    [GeneratedRegex(@"data-cohort=""dash"" data-state=""(?<state>\w+)"" data-cells-done=""(?<cells>\d+)""")]
    private static partial Regex CohortRow();

    [GeneratedRegex(@"class=""slide"" data-cohort-slide=""dash"" data-slide=""cmu-\d""")]
    private static partial Regex SlideTile();
}
