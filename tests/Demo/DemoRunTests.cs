using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Client.Demo;
using OrleansPathology.Grains;
using OrleansPathology.Tests.Faults;
using OrleansPathology.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Demo;

/// <summary>
/// The main job end to end, shrunk to seconds of work (4 small slides, 2 training steps): every stage runs on a real
/// cluster, the embedded one and then real silo processes on PostgreSQL, and the report folder holds what it links to.
/// The score itself is not asserted here (two steps train nothing); BENCHMARKS.md records the full demo's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class DemoRunTests(PostgresServerFixture server, ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-demo");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DemoOptions Small(string name, ClusterTarget cluster) => new()
    {
        OutputDirectory = Path.Combine(_dir, name),
        Slides = 4,
        Width = 3000,
        Height = 3000,
        Seed = 5,
        PatchesPerSlide = 16,
        Workers = 2,
        Epochs = 1,
        MaxStepsPerEpoch = 2,
        BatchSize = 8,
        Cluster = cluster,
    };

    [Fact]
    public async Task The_embedded_demo_runs_every_stage_and_writes_a_report_whose_links_resolve()
    {
        var options = Small("embedded", ClusterTarget.Embedded);
        using var log = new StringWriter();

        var result = await DemoRunner.RunAsync(options, log, CancellationToken.None);
        var (markdown, json) = DemoReport.Write(result);
        output.WriteLine(log.ToString());

        Assert.Equal(["cohort", "train", "score", "evaluate"], result.Stages.Select(s => s.Name));
        var tests = DemoRunner.TestSlides(result.Cohort);
        Assert.NotEmpty(tests);
        Assert.Equal(tests.Select(s => s.Id).Order(), result.Froc.Slides.Select(s => s.SlideId).Order());
        // Two trainers shared each of the two steps.
        Assert.Equal(2, result.Training.Status.GlobalStep);
        Assert.Equal(2, result.Training.Status.Trainers.Count);
        Assert.True(File.Exists(result.Training.WeightsPath));
        Assert.All(result.Scoring.Slides, s => Assert.Equal(RunState.Completed, s.State));

        // The report: its numbers are the evaluation's, and every file it links to is in the folder.
        var text = await File.ReadAllTextAsync(markdown);
        Assert.Contains($"| **FROC** (mean sensitivity at 0.25, 0.5, 1, 2, 4, 8 FP per slide) | **{Number(result.Froc.Score)}** |", text);
        var links = Link().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("model/training.png", links);
        Assert.Contains("evaluation/froc.png", links);
        // Each test slide's heatmap, drawn again with its truth outline once the truth is known.
        Assert.Equal(tests.Count, links.Count(l => l.EndsWith(".heatmap-truth.png", StringComparison.Ordinal)));
        Assert.All(links, l => Assert.True(File.Exists(Path.Combine(options.OutputDirectory, l)), $"REPORT.md links to {l}, which is not there"));
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        Assert.Equal(tests.Count, summary.RootElement.GetProperty("testSlides").GetInt32());
        Assert.Equal(result.Froc.CountedRegions, summary.RootElement.GetProperty("countedRegions").GetInt32());
        Assert.Equal(4, summary.RootElement.GetProperty("stageSeconds").EnumerateObject().Count());
    }

    [Fact]
    public async Task The_demo_runs_on_a_postgres_cluster_of_silo_processes_and_trains_on_both()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("demo");
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), new Dictionary<string, string>
        {
            ["Silo__HealthPort"] = "0",
        });
        var silos = await cluster.StartSilosAsync("demo-a", "demo-b");
        var options = Small("postgres", new ClusterTarget(ClusterKind.Postgres, ConnectionString: connectionString));
        using var log = new StringWriter();

        var result = await DemoRunner.RunAsync(options, log, CancellationToken.None);
        output.WriteLine(log.ToString());

        Assert.Equal(["cohort", "train", "score", "evaluate"], result.Stages.Select(s => s.Name));
        // One trainer per silo process, both in the run: the gradients crossed processes.
        Assert.Equal(silos.Select(s => s.WorkerKey).Order(), result.Training.Status.Trainers.Order());
        Assert.All(result.Scoring.Slides, s => Assert.Equal(RunState.Completed, s.State));
        Assert.Equal(DemoRunner.TestSlides(result.Cohort).Count, result.Froc.Slides.Count);
        Assert.True(File.Exists(result.Evaluation.Markdown));
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    [GeneratedRegex(@"\]\(([^)]+)\)")]
    private static partial Regex Link();
}
