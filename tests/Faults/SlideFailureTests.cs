using OrleansPathology.Client;
using OrleansPathology.Grains;
using OrleansPathology.Model;
using OrleansPathology.Tests.Cluster;
using OrleansPathology.Tests.Postgres;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Slides that cannot be scored, on a silo process restricted to one data root: each fails alone with its reason
/// in <c>opath status</c>, and the rest of the cohort completes.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SlideFailureTests(PostgresServerFixture server) : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-faults-slides");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Corrupt_missing_and_out_of_root_slides_fail_with_their_reasons_and_the_rest_completes()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir, "root")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_dir, "outside")).FullName;
        var good = Path.Combine(root, "good.svs");
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), good);
        var broken = Path.Combine(root, "broken.svs");
        File.Copy(TestData.Slide("broken.svs"), broken);
        var missing = Path.Combine(root, "missing.svs");
        var elsewhere = Path.Combine(outside, "elsewhere.svs");
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), elsewhere); // a good slide, but not under the root
        var link = Path.Combine(root, "link.svs");
        File.CreateSymbolicLink(link, elsewhere); // under the root by name, outside it in fact
        var weights = Path.Combine(root, "random.weights"); // weights and outputs lie inside the root too
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());

        var connectionString = await server.CreateDatabaseAsync("slides");
        var init = await ClientCommandTests.OpathAsync("db", "init", "--connection-string", connectionString);
        Assert.True(init.Exit == ExitCodes.Success, init.Stderr);
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), new Dictionary<string, string>
        {
            ["Pathology__DataRoots__0"] = root,
            ["Pathology__Layouts__cpu__RegionCells"] = "8",
        });
        await cluster.StartSilosAsync("only");
        var client = await cluster.ConnectAsync();
        var spec = new CohortSpec("bad", [
            new SlideSpec("good", good),
            new SlideSpec("broken", broken),
            new SlideSpec("missing", missing),
            new SlideSpec("outside", elsewhere),
            new SlideSpec("link", link),
        ], weights, Path.Combine(root, "out"), Stride: 128);

        await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
        var status = await cluster.WaitForCohortAsync(client, spec.CohortId, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.CompletedWithFailures, status.State); // not every slide failed, but some did
        var byId = status.Slides.ToDictionary(s => s.SlideId);
        Assert.Equal((RunState.Completed, null), (byId["good"].State, byId["good"].Error));
        Assert.Equal(byId["good"].CellsTotal, byId["good"].CellsDone);
        Assert.All(new[] { "broken", "missing", "outside", "link" }, id => Assert.Equal(RunState.Failed, byId[id].State));
        Assert.StartsWith(broken, byId["broken"].Error);
        Assert.StartsWith(missing, byId["missing"].Error);
        Assert.Contains("not found", byId["missing"].Error);
        Assert.StartsWith($"slide {elsewhere}", byId["outside"].Error);
        Assert.Contains($"is outside the configured data roots ({root})", byId["outside"].Error);
        // The link's target is not revealed: the refusal names the path as the cohort gave it.
        Assert.Equal($"slide {link}: is outside the configured data roots ({root})", byId["link"].Error);

        // What an operator sees: each failed slide's reason on its line of `opath status`.
        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync(
            "status", spec.CohortId, "--cluster", "postgres", "--connection-string", connectionString);
        Assert.True(exit == ExitCodes.PartialFailure, $"exit {exit}\n{stdout}\n{stderr}"); // ended with some slides failed
        var lines = stdout.Split('\n');
        foreach (var id in new[] { "broken", "missing", "outside", "link" })
            Assert.Contains(lines, l => l.Contains($" {id} ") && l.Contains("Failed") && l.Contains(byId[id].Error!));
        Assert.Contains("1 of 5 slides completed, 4 failed", stdout);
    }
}
