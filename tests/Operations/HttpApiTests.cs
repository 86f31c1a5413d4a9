using System.Net;
using System.Text;
using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Client.Api;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Api;
using OrleansPathology.Tests.Cluster;

namespace OrleansPathology.Tests.Operations;

/// <summary>The HTTP API over real HTTP to real silo processes, and <c>opath --api URL</c> through it.</summary>
[Collection(OperatorClusterCollection.Name)]
public sealed class HttpApiTests(OperatorClusterFixture cluster)
{
    public static TheoryData<string, string> Protected => new()
    {
        { "GET", "api/v1/cluster" },
        { "GET", "api/v1/cohorts" },
        { "POST", "api/v1/cohorts" },
        { "GET", "api/v1/cohorts/any" },
        { "POST", "api/v1/cohorts/any/cancel" },
        { "GET", "api/v1/cohorts/any/results" },
        { "GET", "api/v1/training" },
        { "GET", "api/v1/training/any" },
    };

    [Theory]
    [MemberData(nameof(Protected))]
    public async Task Every_route_answers_401_without_a_valid_token(string method, string path)
    {
        foreach (var token in new[] { "", "wrong", OperatorClusterFixture.Token[..^1], OperatorClusterFixture.Token + "x", OperatorClusterFixture.Token.ToUpperInvariant() })
        {
            using var http = cluster.Http(token);
            using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}") : null });

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            var error = JsonSerializer.Deserialize<ApiError>(await response.Content.ReadAsStringAsync(), ApiErrors.Json)!;
            Assert.Equal(token == "" ? "a bearer token is required (Authorization: Bearer TOKEN)" : "the bearer token is not valid", error.Error);
        }
    }

    [Fact]
    public async Task A_cohort_is_submitted_followed_listed_and_its_results_served_over_http()
    {
        using var http = cluster.Http();
        using var created = await http.PostAsync("api/v1/cohorts", OperatorClusterFixture.Json(cluster.Cohort("http-one", slides: 1)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        // The same cohort again is idempotent: 200 with its status.
        using var again = await http.PostAsync("api/v1/cohorts", OperatorClusterFixture.Json(cluster.Cohort("http-one", slides: 1)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var done = await cluster.WaitForCohortAsync("http-one", s => s.State != RunState.Running, "the end");
        Assert.Equal(RunState.Completed, done.State);
        var results = await cluster.GetAsync<CohortOutputs>("api/v1/cohorts/http-one/results");
        var slide = Assert.Single(results.Slides);
        Assert.Equal(RunState.Completed, slide.State);
        Assert.True(File.Exists(slide.Map) && File.Exists(slide.Heatmap) && File.Exists(slide.LesionsCsv), JsonSerializer.Serialize(slide));
        using var heatmap = await http.GetAsync("api/v1/cohorts/http-one/slides/cmu-0/heatmap");
        Assert.Equal("image/png", heatmap.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(slide.Heatmap!), await heatmap.Content.ReadAsByteArrayAsync());

        var listed = await cluster.GetAsync<List<CohortSummary>>("api/v1/cohorts?max=100");
        Assert.Contains(listed, c => c.CohortId == "http-one" && c.State == RunState.Completed);
        var overview = await cluster.GetAsync<JsonElement>("api/v1/cluster");
        Assert.Equal(2, overview.GetProperty("silos").GetArrayLength());
        Assert.Equal(2, overview.GetProperty("workers").GetArrayLength());
        Assert.Empty(await cluster.GetAsync<List<TrainingSummary>>("api/v1/training"));
    }

    [Theory]
    [InlineData("{not json", "the request body is not a cohort in JSON")]
    [InlineData("""{"id": "bad", "slides": [], "weights": "/w", "out": "/o"}""", "\"slides\" must list at least one slide")]
    [InlineData("""{"id": "bad", "slides": [{"id": "a", "path": "a.svs"}], "weights": "/w", "out": "/o"}""", "\"slides[0].path\" must be an absolute path as the silos see it (got 'a.svs')")]
    [InlineData("""{"slides": [{"id": "a", "path": "/a.svs"}], "weights": "/w", "out": "/o"}""", "\"id\" is required")]
    [InlineData("""{"id": "bad", "slides": [{"id": "a", "path": "/a.svs"}], "weights": "/w", "out": "/o", "mode": "fast"}""", "\"mode\" must be dense or patch (got 'fast')")]
    [InlineData("""{"id": "bad", "slides": [{"id": "a", "path": "/a.svs"}, {"id": "a", "path": "/b.svs"}], "weights": "/w", "out": "/o"}""", "cohort 'bad' names slide id 'a' twice")]
    public async Task Bad_input_is_400_with_a_one_line_error(string body, string error)
    {
        using var http = cluster.Http();
        using var response = await http.PostAsync("api/v1/cohorts", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonSerializer.Deserialize<ApiError>(await response.Content.ReadAsStringAsync(), ApiErrors.Json)!.Error;
        Assert.StartsWith(error, message);
        Assert.DoesNotContain('\n', message);
    }

    [Theory]
    [InlineData("GET", "api/v1/cohorts/never-submitted", "cohort 'never-submitted' is not on this cluster")]
    [InlineData("POST", "api/v1/cohorts/never-submitted/cancel", "cohort 'never-submitted' is not on this cluster")]
    [InlineData("GET", "api/v1/cohorts/never-submitted/results", "cohort 'never-submitted' is not on this cluster")]
    [InlineData("GET", "api/v1/training/never-started", "training run 'never-started' is not on this cluster")]
    public async Task Unknown_cohorts_and_runs_are_404(string method, string path, string error)
    {
        using var http = cluster.Http();
        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(error, JsonSerializer.Deserialize<ApiError>(await response.Content.ReadAsStringAsync(), ApiErrors.Json)!.Error);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route()
    {
        using var http = cluster.Http(token: "");
        using var document = JsonDocument.Parse(await http.GetStringAsync("api/v1/openapi.json"));

        var paths = document.RootElement.GetProperty("paths");
        foreach (var (method, path) in Protected.Select(row => ((string)row[0], (string)row[1])))
        {
            var template = path["api/v1".Length..].Replace("/any", "/{id}").Replace("training/{id}", "training/{run}");
            Assert.True(paths.TryGetProperty(template, out var item), $"{template} is not in the OpenAPI document");
            Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {template} is not in the OpenAPI document");
        }
        Assert.True(paths.TryGetProperty("/cohorts/{id}/slides/{slide}/heatmap", out _));
        Assert.Equal("3.0.3", document.RootElement.GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task Opath_with_api_submits_follows_lists_cancels_and_reads_results_through_http()
    {
        var dir = Path.Combine(cluster.Dir, "cli-api");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "cohort.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            id = "api-cli",
            weights = cluster.WeightsPath,
            slides = new[] { new { id = "cmu", path = TestData.Slide("CMU-1-Small-Region.svs") } },
        }));
        var api = cluster.ApiBase.ToString().TrimEnd('/');
        var previous = Environment.GetEnvironmentVariable(ApiClient.TokenVariable);
        Environment.SetEnvironmentVariable(ApiClient.TokenVariable, OperatorClusterFixture.Token);
        try
        {
            var submitted = await ClientCommandTests.OpathAsync("--api", api, "submit", file, "--out", Path.Combine(dir, "out"));
            Assert.True(submitted.Exit == ExitCodes.Success, submitted.Stderr);
            Assert.StartsWith($"submitted cohort api-cli (1 slide(s)) to {api}/", submitted.Stdout);
            Assert.Contains($"opath watch api-cli --api {api}", submitted.Stdout);

            var watched = await ClientCommandTests.OpathAsync("watch", "api-cli", "--api", api, "--json");
            Assert.True(watched.Exit == ExitCodes.Success, watched.Stderr + cluster.Tails());
            Assert.Equal("Completed", JsonDocument.Parse(watched.Stdout).RootElement.GetProperty("state").GetString());

            var status = await ClientCommandTests.OpathAsync("--api", api, "status", "api-cli");
            Assert.True(status.Exit == ExitCodes.Success, status.Stderr);
            Assert.StartsWith("cohort api-cli: Completed", status.Stdout);

            var results = await ClientCommandTests.OpathAsync("--api", api, "results", "api-cli", "--json");
            Assert.True(results.Exit == ExitCodes.Success, results.Stderr);
            var slide = JsonDocument.Parse(results.Stdout).RootElement.GetProperty("slides")[0];
            Assert.EndsWith(".heatmap.png", slide.GetProperty("heatmap").GetString());

            var cohorts = await ClientCommandTests.OpathAsync("--api", api, "cohorts");
            Assert.True(cohorts.Exit == ExitCodes.Success, cohorts.Stderr);
            Assert.Matches(@"api-cli\s+Completed\s+100%", cohorts.Stdout);

            var overview = await ClientCommandTests.OpathAsync("--api", api, "cluster", "status", "--json");
            Assert.True(overview.Exit == ExitCodes.Success, overview.Stderr);
            Assert.Equal(2, JsonDocument.Parse(overview.Stdout).RootElement.GetProperty("silos").GetArrayLength());

            // A long cohort, cancelled through the API while it runs.
            await cluster.SubmitAsync(cluster.Cohort("api-cancel", slides: 3));
            var cancelled = await ClientCommandTests.OpathAsync("--api", api, "cancel", "api-cancel", "--json");
            Assert.True(cancelled.Exit == ExitCodes.Success, cancelled.Stderr);
            Assert.Equal("Cancelled", JsonDocument.Parse(cancelled.Stdout).RootElement.GetProperty("state").GetString());

            var unknown = await ClientCommandTests.OpathAsync("--api", api, "status", "never-submitted");
            Assert.Equal(ExitCodes.Failure, unknown.Exit);
            Assert.Equal($"opath status: cohort 'never-submitted' is not on the cluster behind {api}/", unknown.Stderr.Trim());

            Environment.SetEnvironmentVariable(ApiClient.TokenVariable, "not-the-token");
            var refused = await ClientCommandTests.OpathAsync("--api", api, "cluster", "status");
            Assert.Equal(ExitCodes.Failure, refused.Exit);
            Assert.Equal($"opath cluster status: the API at {api}/ answered 401: the bearer token is not valid (set ${ApiClient.TokenVariable} to the silo's Api:Token)", refused.Stderr.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable(ApiClient.TokenVariable, previous);
        }
    }
}
