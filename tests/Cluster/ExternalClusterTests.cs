using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OrleansPathology.Client;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Cluster;

/// <summary>A pathology silo in this process on free ports, reached by the commands through its gateway as a separate silo would be.</summary>
public sealed class LocalSiloFixture : IAsyncLifetime
{
    private IHost? _host;

    public int GatewayPort { get; } = TestPorts.Next();

    public string Cluster => $"localhost:{GatewayPort}";

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:SiloPort"] = TestPorts.Next().ToString(),
            ["Silo:GatewayPort"] = GatewayPort.ToString(),
        });
        builder.AddPathologySilo();
        _host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _host.StartAsync(timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_host is null) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _host.StopAsync(timeout.Token);
        _host.Dispose();
    }
}

/// <summary>submit (no wait), status, cancel, watch and results against an external silo.</summary>
public sealed class ExternalClusterTests(LocalSiloFixture silo) : IClassFixture<LocalSiloFixture>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly string _dir = TestData.NewTempDir("opath-external");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_submitted_cohort_can_be_followed_cancelled_and_its_results_listed()
    {
        var cohortFile = Path.Combine(_dir, "cohort.json");
        // Real weights: a submit checks them now (issue 11), so cmu may be scored and complete before the cancel.
        using (var model = new OrleansPathology.Model.FcnResNet18()) OrleansPathology.Model.ModelWeights.Save(model, Path.Combine(_dir, "w.bin"), new OrleansPathology.Model.ModelCard());
        File.WriteAllText(cohortFile, JsonSerializer.Serialize(new
        {
            id = "ext",
            weights = "w.bin",
            slides = new object[]
            {
                new { id = "cmu", path = TestData.Slide("CMU-1-Small-Region.svs") },
                new { id = "missing", path = "missing.svs" },
            },
        }));
        string[] submit = ["submit", cohortFile, "--out", Path.Combine(_dir, "out"), "--cluster", silo.Cluster];

        var submitted = await ClientCommandTests.OpathAsync(submit);
        Assert.True(submitted.Exit == ExitCodes.Success, submitted.Stderr);
        Assert.StartsWith($"submitted cohort ext (2 slide(s)) to {silo.Cluster}", submitted.Stdout);
        Assert.Contains($"opath watch ext --cluster {silo.Cluster}", submitted.Stdout);

        // Explicit wait point: the missing slide fails while it is planned.
        var status = await StatusAsync("ext");
        for (var tries = 0; status.Slides.Single(s => s.SlideId == "missing").State != RunState.Failed; tries++)
        {
            Assert.True(tries < 60, "the missing slide did not fail within 30 s");
            await Task.Delay(500);
            status = await StatusAsync("ext");
        }

        var again = await ClientCommandTests.OpathAsync([.. submit, "--json"]);
        Assert.Equal(ExitCodes.Success, again.Exit);
        Assert.Equal("ext", JsonSerializer.Deserialize<CohortStatus>(again.Stdout, Json)!.CohortId);

        var cancelled = await ClientCommandTests.OpathAsync("cancel", "ext", "--cluster", silo.Cluster);
        Assert.Equal(ExitCodes.Success, cancelled.Exit);
        // cmu may have completed before the cancel arrived: an ended cohort keeps its outcome.
        Assert.True(cancelled.Stdout.StartsWith("cancelled cohort ext", StringComparison.Ordinal)
            || cancelled.Stdout.StartsWith("cohort ext had already ended (CompletedWithFailures); nothing to cancel", StringComparison.Ordinal), cancelled.Stdout);

        // The cohort is no longer running: watch returns at once; cmu is Cancelled, or Completed when it ended first.
        var watched = await ClientCommandTests.OpathAsync("watch", "ext", "--cluster", silo.Cluster);
        status = await StatusAsync("ext");
        var cmu = status.Slides.Single(s => s.SlideId == "cmu");
        Assert.True(cmu.State is RunState.Cancelled or RunState.Completed, $"cmu ended {cmu.State}: {cmu.Error}");
        var expected = cmu.State == RunState.Completed ? ExitCodes.PartialFailure : ExitCodes.Failure;
        Assert.Equal(expected, watched.Exit);
        Assert.Contains("missing: Failed: ", watched.Stdout);

        var results = await ClientCommandTests.OpathAsync("results", "ext", "--cluster", silo.Cluster, "--json");
        Assert.Equal(expected, results.Exit);
        using var document = JsonDocument.Parse(results.Stdout);
        var missing = document.RootElement.GetProperty("slides").EnumerateArray().Single(s => s.GetProperty("slideId").GetString() == "missing");
        Assert.Equal("Failed", missing.GetProperty("state").GetString());
        Assert.Contains(Path.Combine(_dir, "missing.svs"), missing.GetProperty("error").GetString());
        Assert.Equal(Path.Combine(_dir, "out", "ext", "missing"), missing.GetProperty("outputDirectory").GetString());
    }

    [Fact]
    public async Task An_unknown_cohort_is_exit_code_2_naming_the_cluster()
    {
        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync("results", "never-submitted", "--cluster", silo.Cluster);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Empty(stdout);
        Assert.StartsWith($"opath results: cohort 'never-submitted' is not on the cluster at {silo.Cluster}", stderr);
    }

    private async Task<CohortStatus> StatusAsync(string cohort)
    {
        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync("status", cohort, "--cluster", silo.Cluster, "--json");
        // An ended cohort's status exits by its outcome (0, 1 or 2); the status itself is on stdout either way.
        Assert.True(exit is ExitCodes.Success or ExitCodes.PartialFailure or ExitCodes.Failure && stdout.TrimStart().StartsWith('{'), stderr);
        return JsonSerializer.Deserialize<CohortStatus>(stdout, Json)!;
    }
}
