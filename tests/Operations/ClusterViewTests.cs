using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansPathology.Client;
using OrleansPathology.Grains;
using OrleansPathology.Tests.Cluster;

namespace OrleansPathology.Tests.Operations;

/// <summary>
/// What an operator sees of two real silo processes: <c>opath cluster status</c>, <c>opath cohorts</c>,
/// <c>opath training</c>, and the scaling gauges on each silo's /metrics.
/// </summary>
[Collection(OperatorClusterCollection.Name)]
public sealed partial class ClusterViewTests(OperatorClusterFixture cluster)
{
    private string[] Postgres => ["--cluster", "postgres", "--connection-string", cluster.ConnectionString];

    [Fact]
    public async Task Cluster_status_shows_both_silos_their_workers_a_running_cohort_and_the_work_waiting()
    {
        await cluster.SubmitAsync(cluster.Cohort("view-running", slides: 4));
        // Wait point: the cohort is planned and both devices have scored batches.
        await cluster.WaitForCohortAsync("view-running", s => s.Slides.Sum(x => x.BatchesDone) >= 6 && s.Slides.All(x => x.BatchesTotal > 0), "batches done");

        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync(["cluster", "status", "--json", .. Postgres]);

        Assert.True(exit == ExitCodes.Success, stderr + cluster.Tails());
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        var silos = root.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(["ops-a", "ops-b"], silos.Select(s => s.GetProperty("name").GetString()).Order());
        Assert.All(silos, s =>
        {
            Assert.Equal("Active", s.GetProperty("status").GetString());
            Assert.Equal(["sim:0"], s.GetProperty("devices").EnumerateArray().Select(d => d.GetString()));
            Assert.True(s.GetProperty("uptimeSeconds").GetDouble() > 0);
        });
        var workers = root.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(["ops-a/sim:0", "ops-b/sim:0"], workers.Select(w => w.GetProperty("worker").GetString()));
        Assert.All(workers, w => Assert.True(w.GetProperty("pulling").GetBoolean()));
        Assert.True(workers.Sum(w => w.GetProperty("batchesDone").GetInt64()) > 0, stdout);
        Assert.True(workers.Max(w => w.GetProperty("cellsPerSecond").GetDouble()) > 0, stdout);
        Assert.Contains(workers, w => w.GetProperty("loadedWeights").GetString() == cluster.WeightsPath);
        var active = root.GetProperty("activeCohorts").EnumerateArray().Single(c => c.GetProperty("cohortId").GetString() == "view-running");
        Assert.Equal("Running", active.GetProperty("state").GetString());
        Assert.Equal(4, active.GetProperty("slides").GetInt32());
        var pending = root.GetProperty("pending");
        Assert.True(pending.GetProperty("batches").GetInt64() > 0 && pending.GetProperty("cells").GetInt64() > 0, stdout);
        Assert.Empty(root.GetProperty("unreachable").EnumerateArray());

        var text = await ClientCommandTests.OpathAsync(["cluster", "status", .. Postgres]);
        Assert.True(text.Exit == ExitCodes.Success, text.Stderr);
        Assert.Contains("ops-a/sim:0", text.Stdout);
        Assert.Matches(@"view-running\s+Running", text.Stdout);
        Assert.Matches(@"work waiting: [\d,]+ cells, [\d,]+ batches on \d slide\(s\)", text.Stdout);
    }

    [Fact]
    public async Task Cohorts_lists_the_cluster_s_cohorts_newest_first_with_state_and_progress()
    {
        await cluster.SubmitAsync(cluster.Cohort("list-older", slides: 1));
        await cluster.WaitForCohortAsync("list-older", s => s.State == RunState.Completed, "completion");
        await cluster.SubmitAsync(cluster.Cohort("list-newer", slides: 1));

        var (exit, stdout, stderr) = await ClientCommandTests.OpathAsync(["cohorts", "--json", .. Postgres]);

        Assert.True(exit == ExitCodes.Success, stderr);
        var cohorts = JsonDocument.Parse(stdout).RootElement.EnumerateArray().ToList();
        var ids = cohorts.Select(c => c.GetProperty("cohortId").GetString()).ToList();
        Assert.True(ids.IndexOf("list-newer") < ids.IndexOf("list-older") && ids.IndexOf("list-newer") >= 0, string.Join(", ", ids));
        var older = cohorts.Single(c => c.GetProperty("cohortId").GetString() == "list-older");
        Assert.Equal("Completed", older.GetProperty("state").GetString());
        Assert.Equal(1.0, older.GetProperty("progress").GetDouble());
        Assert.Equal(older.GetProperty("cellsTotal").GetInt64(), older.GetProperty("cellsDone").GetInt64());

        var text = await ClientCommandTests.OpathAsync(["cohorts", "--max", "1", .. Postgres]);
        Assert.True(text.Exit == ExitCodes.Success, text.Stderr);
        Assert.Contains("list-newer", text.Stdout);
        Assert.DoesNotContain("list-older", text.Stdout);
    }

    [Fact]
    public async Task Training_list_and_status_answer_on_a_cluster_without_runs()
    {
        var list = await ClientCommandTests.OpathAsync(["training", "list", .. Postgres]);
        Assert.True(list.Exit == ExitCodes.Success, list.Stderr);
        Assert.StartsWith("no training runs on this cluster yet", list.Stdout);
        var json = await ClientCommandTests.OpathAsync(["training", "list", "--json", .. Postgres]);
        Assert.Equal("[]", json.Stdout.Trim());

        var status = await ClientCommandTests.OpathAsync(["training", "status", "no-such-run", .. Postgres]);
        Assert.Equal(ExitCodes.Failure, status.Exit);
        Assert.StartsWith("opath training status: training run 'no-such-run' is not on the cluster at postgres (", status.Stderr);
        Assert.Single(status.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password!, status.Stderr);
    }

    [Fact]
    public async Task Metrics_export_the_scaling_gauges_pending_work_once_and_utilization_per_device()
    {
        await cluster.SubmitAsync(cluster.Cohort("gauges", slides: 3));
        await cluster.WaitForCohortAsync("gauges", s => s.Slides.All(x => x.BatchesTotal > 0) && s.Slides.Sum(x => x.BatchesDone) >= 4, "planning and first batches");

        // Wait point: a scrape after the gauges sampled (every 5 s) while the work waits and the devices compute.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        Dictionary<string, string> scrapes;
        while (true)
        {
            scrapes = [];
            foreach (var silo in cluster.Silos)
            {
                using var http = new HttpClient();
                scrapes[silo.Name] = await http.GetStringAsync($"http://127.0.0.1:{silo.HealthPort}/metrics");
            }
            var pending = scrapes.Values.SelectMany(s => Values(s, "opath_work_pending_cells")).ToList();
            var busy = scrapes.Values.SelectMany(s => Values(s, "opath_device_utilization")).ToList();
            if (pending.Count == 1 && pending[0] > 0 && busy.Count == 2 && busy.Any(u => u > 0)) break;
            Assert.True(DateTime.UtcNow < deadline, $"gauges not as expected within a minute:\n{string.Join("\n", scrapes.Values.SelectMany(s => s.Split('\n').Where(l => l.StartsWith("opath_work") || l.StartsWith("opath_device"))))}");
            await Task.Delay(500);
        }

        // Exactly these names (KEDA and Grafana query them): gauges, pending once cluster-wide, utilisation per device in 0..1.
        Assert.Single(scrapes.Values, s => s.Contains("# TYPE opath_work_pending_cells gauge"));
        Assert.Single(scrapes.Values, s => s.Contains("# TYPE opath_work_pending_batches gauge"));
        Assert.Single(scrapes.Values.SelectMany(s => Values(s, "opath_work_pending_batches")), b => b > 0);
        Assert.All(scrapes.Values, s => Assert.Contains("# TYPE opath_device_utilization gauge", s));
        Assert.All(scrapes.Values, s => Assert.Matches(@"opath_device_utilization\{[^}]*opath_device=""sim:0""", s));
        Assert.All(scrapes.Values.SelectMany(s => Values(s, "opath_device_utilization")), u => Assert.InRange(u, 0, 1));
    }

    private static List<double> Values(string scrape, string name) =>
        [.. Sample().Matches(scrape).Where(m => m.Groups["name"].Value == name).Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^(?<name>[a-z_]+)(\{[^}]*\})? (?<value>[-0-9.eE+]+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
