using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.CommandLine;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Api;

namespace OrleansPathology.Client.Api;

/// <summary>The API answered with an error, or could not be reached: one line naming the URL and what it said.</summary>
internal sealed class ApiCallException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// <c>opath --api URL</c>: the cohort and cluster commands through a silo's HTTP API instead of an Orleans gateway (so
/// <c>kubectl port-forward</c> to one silo is all a laptop needs). The token comes from <see cref="TokenVariable"/>.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    /// <summary>The environment variable holding the API token (never a command-line argument: others can read those).</summary>
    public const string TokenVariable = "OPATH_API_TOKEN";

    /// <summary>The option every command shares, given before or after the command name.</summary>
    public static readonly Option<string?> Option = new("--api")
    {
        Description = $"Send the command through a silo's HTTP API at this URL (e.g. http://localhost:8080) instead of an Orleans gateway; the token is ${TokenVariable}.",
        Recursive = true,
    };

    private readonly HttpClient _http;

    private ApiClient(Uri baseAddress, string? token)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri Url => _http.BaseAddress!;

    /// <summary>The client <c>--api</c> names, or null when the command goes through Orleans.</summary>
    public static ApiClient? From(ParseResult parse)
    {
        if (parse.GetValue(Option) is not { Length: > 0 } text) return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--api must be an http or https URL such as http://localhost:8080 (got '{text}')");
        return new ApiClient(new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/"), Environment.GetEnvironmentVariable(TokenVariable));
    }

    public Task<ClusterOverview> ClusterAsync(CancellationToken token) => GetAsync<ClusterOverview>("cluster", token);

    public Task<List<CohortSummary>> CohortsAsync(int max, CancellationToken token) => GetAsync<List<CohortSummary>>($"cohorts?max={max}", token);

    public Task<List<TrainingSummary>> TrainingAsync(CancellationToken token) => GetAsync<List<TrainingSummary>>("training", token);

    public Task<TrainingStatus> TrainingStatusAsync(string run, CancellationToken token) => GetAsync<TrainingStatus>($"training/{Uri.EscapeDataString(run)}", token);

    public Task<CohortStatus> StatusAsync(string cohortId, CancellationToken token) => GetAsync<CohortStatus>(CohortPath(cohortId), token);

    public Task<CohortOutputs> ResultsAsync(string cohortId, CancellationToken token) => GetAsync<CohortOutputs>(CohortPath(cohortId) + "/results", token);

    public Task<CohortStatus> CancelAsync(string cohortId, CancellationToken token) =>
        SendAsync<CohortStatus>(HttpMethod.Post, CohortPath(cohortId) + "/cancel", null, token);

    public Task<CohortStatus> SubmitAsync(CohortSpec spec, CancellationToken token) =>
        SendAsync<CohortStatus>(HttpMethod.Post, "cohorts", JsonContent.Create(CohortRequest.From(spec), options: ApiErrors.Json), token);

    public void Dispose() => _http.Dispose();

    private static string CohortPath(string cohortId) => $"cohorts/{Uri.EscapeDataString(cohortId)}";

    private Task<T> GetAsync<T>(string path, CancellationToken token) => SendAsync<T>(HttpMethod.Get, path, null, token);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? body, CancellationToken token)
    {
        var url = new Uri(new Uri(Url, "api/v1/"), path);
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, url) { Content = body };
            response = await _http.SendAsync(request, token);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiCallException($"the API at {Url} could not be reached: {ex.Message} (is the silo's HTTP port forwarded there?)", ex);
        }
        catch (TaskCanceledException ex) when (!token.IsCancellationRequested)
        {
            throw new ApiCallException($"the API at {Url} did not answer within {_http.Timeout.TotalSeconds:0} s", ex);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return await response.Content.ReadFromJsonAsync<T>(ApiErrors.Json, token)
                    ?? throw new ApiCallException($"the API at {Url} answered {path} with an empty body");
            var error = await ErrorOf(response, token);
            if (response.StatusCode == HttpStatusCode.NotFound && path.StartsWith("cohorts/", StringComparison.Ordinal))
                throw new CohortNotFoundException(Uri.UnescapeDataString(path["cohorts/".Length..].Split('/')[0]), $"is not on the cluster behind {Url}");
            var hint = response.StatusCode == HttpStatusCode.Unauthorized ? $" (set ${TokenVariable} to the silo's Api:Token)" : "";
            throw new ApiCallException($"the API at {Url} answered {(int)response.StatusCode}: {error}{hint}");
        }
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            return (await response.Content.ReadFromJsonAsync<ApiError>(ApiErrors.Json, token))?.Error ?? response.ReasonPhrase ?? "";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            return response.ReasonPhrase ?? "";
        }
    }
}
