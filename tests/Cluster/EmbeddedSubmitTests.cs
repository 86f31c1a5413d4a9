using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansPathology.Client;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;
using OrleansPathology.Model;

namespace OrleansPathology.Tests.Cluster;

/// <summary><c>opath submit</c> without <c>--cluster</c>: a real silo in this process scores a real slide.</summary>
public sealed class EmbeddedSubmitTests : IDisposable
{
    /// <summary>Generous for a 2220x2967 slide on a shared CPU; the run ends much sooner when the workers are there.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly string _dir = TestData.NewTempDir("opath-submit");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_cohort_with_one_real_and_one_missing_slide_ends_in_partial_failure_with_outputs_for_the_real_one()
    {
        var weights = Path.Combine(_dir, "tiny.weights");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());
        var cohortFile = Path.Combine(_dir, "cohort.json");
        File.WriteAllText(cohortFile, JsonSerializer.Serialize(new
        {
            id = "e2e",
            slides = new object[]
            {
                new { id = "cmu", path = TestData.Slide("CMU-1-Small-Region.svs") },
                new { id = "missing", path = "slides/missing.svs" },
            },
        }));
        var output = Path.Combine(_dir, "out");

        using var limit = new CancellationTokenSource(Limit);
        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync(limit.Token,
            "submit", cohortFile, "--weights", weights, "--out", output, "--wait", "--json");

        Assert.False(exit == ClusterCommandLine.Interrupted,
            $"the cohort did not finish within {Limit} (does AddPathologySilo add the inference workers?)\nstderr:\n{stderr}");
        Assert.True(exit == ExitCodes.PartialFailure, $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.True(stdout.TrimStart().StartsWith('{'), $"stdout:\n{stdout}\nstderr:\n{stderr}");
        var status = JsonSerializer.Deserialize<CohortStatus>(stdout, Json)!;
        Assert.Equal("e2e", status.CohortId);
        // Ended, so it says when: the state (derived from the slides) and FinishedAt come from the same answer.
        Assert.Equal(RunState.CompletedWithFailures, status.State); // one of two slides failed
        Assert.True(status.FinishedAt >= status.SubmittedAt, $"a {status.State} cohort finished at '{status.FinishedAt}' (submitted {status.SubmittedAt})\nstdout:\n{stdout}");

        var cmu = status.Slides.Single(s => s.SlideId == "cmu");
        Assert.Equal(RunState.Completed, cmu.State);
        Assert.Equal(Path.Combine(output, "e2e", "cmu"), cmu.OutputDirectory);
        Assert.True(cmu.CellsTotal > 0);
        Assert.Equal(cmu.CellsTotal, cmu.CellsDone);
        foreach (var file in new[] { "CMU-1-Small-Region.probmap", "CMU-1-Small-Region.heatmap.png", "CMU-1-Small-Region.csv" })
            Assert.True(File.Exists(Path.Combine(cmu.OutputDirectory!, file)), $"{file} missing in {cmu.OutputDirectory}");

        var missing = status.Slides.Single(s => s.SlideId == "missing");
        Assert.Equal(RunState.Failed, missing.State);
        Assert.Contains(Path.Combine(_dir, "slides", "missing.svs"), missing.Error);
        Assert.Contains("not found", missing.Error);

        // Progress went to stderr as plain lines (not a terminal), the JSON alone to stdout.
        Assert.Contains("cohort e2e: 2 slide(s)", stderr);
        Assert.Contains("missing: Failed: ", stderr);
    }
}
