using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Api;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Operations;

[CollectionDefinition(Name)]
public sealed class OperatorClusterCollection : ICollectionFixture<OperatorClusterFixture>
{
    public const string Name = "operator cluster";
}

/// <summary>
/// Two real silo processes (<c>ops-a</c>, <c>ops-b</c>) on their own PostgreSQL server, each with one simulated device
/// (<see cref="BatchTime"/> a batch, small batches of 4x4 cells so a slide is many batches), the HTTP API behind
/// <see cref="Token"/> and Prometheus at /metrics. Tests submit their own cohorts (ids unique per test) of copies of
/// CMU-1-Small-Region.svs.
/// </summary>
public sealed class OperatorClusterFixture : IAsyncLifetime
{
    public const string Token = "ops-token-7f3c9a1e5b";

    /// <summary>A simulated batch's time: slow enough that a cohort of a few slides runs for tens of seconds.</summary>
    public static readonly TimeSpan BatchTime = TimeSpan.FromMilliseconds(150);

    private readonly PostgresServerFixture _postgres = new();
    private ProcessCluster? _cluster;

    public string Dir { get; } = TestData.NewTempDir("opath-ops");

    public string ConnectionString { get; private set; } = "";

    public IReadOnlyList<SiloProcess> Silos => _cluster!.Silos;

    /// <summary>The API of the first silo (any silo serves the whole cluster).</summary>
    public Uri ApiBase => new($"http://127.0.0.1:{Silos[0].HealthPort}/");

    public string WeightsPath => Path.Combine(Dir, "weights.bin");

    public async Task InitializeAsync()
    {
        await _postgres.InitializeAsync();
        ConnectionString = await _postgres.CreateOrleansDatabaseAsync("ops");
        // A simulated device never opens the weights; the path only has to be absolute.
        await File.WriteAllTextAsync(WeightsPath, "simulated");
        _cluster = new ProcessCluster(ConnectionString, Path.Combine(Dir, "silos"), new Dictionary<string, string>
        {
            ["Api__Token"] = Token,
            ["Telemetry__Exporters"] = "prometheus",
            ["Workers__Simulation__BatchTime"] = BatchTime.ToString("c"),
            ["Pathology__Layouts__sim__RegionCells"] = "4",
            ["Logging__LogLevel__OrleansPathology.Grains.Slides.SlideGrain"] = "Information",
            ["Logging__LogLevel__OrleansPathology.Grains.Maps.MapAssemblyGrain"] = "Information",
        }, device: "sim:0");
        await _cluster.StartSilosAsync("ops-a", "ops-b");
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>An HTTP client on the first silo's port, with the token unless <paramref name="token"/> says otherwise ("" for none).</summary>
    public HttpClient Http(string? token = Token)
    {
        var http = new HttpClient { BaseAddress = ApiBase, Timeout = TimeSpan.FromSeconds(60) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    /// <summary>A cohort of <paramref name="slides"/> copies of CMU-1-Small-Region.svs (stride 64), as the API takes it.</summary>
    public CohortRequest Cohort(string id, int slides) => new(
        id, [.. Enumerable.Range(0, slides).Select(i => new SlideRequest($"cmu-{i}", TestData.Slide("CMU-1-Small-Region.svs")))],
        WeightsPath, Path.Combine(Dir, "out"));

    /// <summary>Submits <paramref name="cohort"/> through the API.</summary>
    public async Task<CohortStatus> SubmitAsync(CohortRequest cohort)
    {
        using var http = Http();
        using var response = await http.PostAsync("api/v1/cohorts", Json(cohort));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/cohorts answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<CohortStatus>(body, ApiErrors.Json)!;
    }

    public async Task<T> GetAsync<T>(string path)
    {
        using var http = Http();
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, ApiErrors.Json)!;
    }

    /// <summary>Polls the cohort's status until <paramref name="condition"/> holds (a wait point), failing after <paramref name="limit"/>.</summary>
    public async Task<CohortStatus> WaitForCohortAsync(string id, Func<CohortStatus, bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var status = await GetAsync<CohortStatus>($"api/v1/cohorts/{id}");
            if (condition(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, $"cohort {id}: timed out waiting for {what}; last status {JsonSerializer.Serialize(status, ApiErrors.Json)}");
            await Task.Delay(250);
        }
    }

    public static StringContent Json<T>(T value) => new(JsonSerializer.Serialize(value, ApiErrors.Json), Encoding.UTF8, "application/json");

    public string Tails() => string.Join('\n', Silos.Select(s => s.Tail(20)));
}
