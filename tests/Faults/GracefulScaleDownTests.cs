using System.Text.RegularExpressions;
using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Scale-down as Kubernetes does it: a silo process gets SIGTERM in the middle of a cohort (after <c>kubectl scale</c>
/// removed its pod). It must stop leasing, finish and report what its worker holds, hand the leases of the slides it
/// hosts to their next activation, and leave; the cohort completes with every batch computed and stored exactly once.
/// Simulated devices (real leasing, results and storage, no model) keep three silos cheap on a loaded machine.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class GracefulScaleDownTests(PostgresServerFixture server, ITestOutputHelper output) : IDisposable
{
    private const int Stride = 128, RegionCells = 2, SlideCount = 4;
    private const string Device = "sim:0";
    private static readonly TimeSpan CohortTimeout = TimeSpan.FromMinutes(6);
    private readonly string _dir = TestData.NewTempDir("opath-faults-drain");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_silo_stopped_gracefully_mid_cohort_loses_no_batch_and_has_none_computed_twice()
    {
        var data = Path.Combine(_dir, "data");
        var manifest = CohortSynthesizer.Run(new SynthesisOptions
        {
            OutputDirectory = data, Slides = 2, Width = 4000, Height = 3000, Seed = 20_261_206, PatchesPerSlide = 8,
        });
        var files = manifest.Slides.Select(s => Path.Combine(data, s.Path)).ToList();
        var slides = Enumerable.Range(0, SlideCount).Select(i => new SlideSpec($"s{i}", files[i % files.Count])).ToList();
        var spec = new CohortSpec("drain", slides, "simulated.weights", Path.Combine(data, "out"), Stride);
        var plans = files.ToDictionary(f => f, f => SlidePlanning.Prepare(
            new SlideJob(f, null, new InferenceOptions { Stride = Stride, RegionCells = RegionCells }, Path.Combine(_dir, "plans"), Path.GetFileNameWithoutExtension(f)),
            new DataRoots([])));
        var batchCount = slides.Sum(s => plans[s.Path].Batches.Count);

        var connectionString = await server.CreateOrleansDatabaseAsync("drain");
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), new Dictionary<string, string>
        {
            // Far longer than the run: a batch lost by the drain would stall the cohort (and log its expiry), never be
            // quietly leased again; so every lease below is a first lease, and two leases of one batch are a recomputation.
            ["Pathology__LeaseTimeout"] = "00:10:00",
            ["Pathology__Layouts__sim__RegionCells"] = RegionCells.ToString(),
            ["Pathology__DataRoots__0"] = data,
            // Batches slower than a slide's replanning, and several in flight per worker: when a leaving silo's slide grain
            // comes back elsewhere, other workers still hold its leases, which the new activation must not hand out again.
            ["Workers__Simulation__BatchTime"] = "00:00:02",
            ["Workers__Concurrency"] = "4",
            ["Workers__DirectoryRefresh"] = "00:00:00.500",
            // No revival by the silos' watch during the run: a survivor's worker deactivated because the leaving silo kept
            // its directory entry must start again by itself.
            ["Workers__WatchInterval"] = "01:00:00",
        }, device: Device);
        var silos = await cluster.StartSilosAsync("drain-a", "drain-b", "drain-c");
        var client = await cluster.ConnectAsync();
        // Submitting again is a no-op, so a submission that times out on a loaded machine is simply repeated.
        await cluster.WaitUntilAsync(async () => (await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec)) is not null,
            $"cohort {spec.CohortId} to be accepted", CohortTimeout);

        // Wait point: a silo that hosts a running slide grain (whose leases to other workers must survive its leaving) and
        // whose worker has finished a batch and holds leases now (which it must finish and report before it goes).
        var management = client.GetGrain<IManagementGrain>(0);
        SiloProcess? victim = null;
        await cluster.WaitUntilAsync(async () =>
        {
            var slideHosts = new HashSet<int>();
            foreach (var slide in spec.Slides)
            {
                var grain = client.GetGrain<ISlideGrain>($"{spec.CohortId}/{slide.SlideId}");
                var host = await management.GetActivationAddress(grain);
                if (host is not null && (await grain.GetProgressAsync()) is { State: RunState.Running, BatchesDone: > 0 } progress
                    && progress.BatchesDone < progress.BatchesTotal - 4)
                    slideHosts.Add(host.Endpoint.Port);
            }
            foreach (var silo in silos.Where(s => slideHosts.Contains(s.SiloPort)))
            {
                var worker = await client.GetGrain<IInferenceWorkerGrain>(WorkerKey(silo)).GetStatusAsync();
                if (worker is { BatchesDone: > 0, InFlight: > 0 }) victim = silo;
            }
            return victim is not null;
        }, "a silo hosting a running slide grain whose worker has finished a batch and holds leases", CohortTimeout);
        var storedBefore = (await cluster.BatchRowsAsync(spec.CohortId)).Count;

        // SIGTERM, as the kubelet sends it; the pod's grace period (150 s) bounds the stop.
        await victim!.StopAsync(TimeSpan.FromSeconds(150));
        output.WriteLine($"stopped {victim.Name} gracefully with {storedBefore} of {batchCount} batches stored");

        var status = await cluster.WaitForCohortAsync(client, spec.CohortId, CohortTimeout);

        Assert.Equal(RunState.Completed, status.State);
        Assert.All(status.Slides, s => Assert.Equal((RunState.Completed, null, s.BatchesTotal, s.CellsTotal), (s.State, s.Error, s.BatchesDone, s.CellsDone)));
        var rows = await cluster.BatchRowsAsync(spec.CohortId);
        Assert.Equal(batchCount, rows.Count);
        Assert.Equal(batchCount, rows.Select(r => (r.SlideKey, r.BatchIndex)).Distinct().Count());
        Assert.True(storedBefore < batchCount, "the cohort had ended before the silo was stopped");

        // The stop was graceful: the worker drained, and nothing was left to expire.
        var victimLog = victim.LinesContaining($"Worker {WorkerKey(victim)} draining");
        Assert.True(victimLog.Count == 1, $"{victim.Name} logged no drain\n{victim.Tail()}");
        Assert.Empty(silos.SelectMany(s => s.LinesContaining("expired; leasing it again")));

        // Every batch leased once and its result delivered once, over every silo's log (the stopped one's too).
        var events = silos.SelectMany(s => s.LinesContaining($"Slide {spec.CohortId}/"))
            .Select(line => BatchEvent().Match(line)).Where(m => m.Success)
            .Select(m => (Batch: (m.Groups["slide"].Value, int.Parse(m.Groups["batch"].Value)), Leased: m.Groups["what"].Value == "leased to", Worker: m.Groups["worker"].Value))
            .ToList();
        var leasedTwice = events.Where(e => e.Leased).GroupBy(e => e.Batch).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Item1} batch {g.Key.Item2} leased to [{string.Join(", ", g.Select(e => e.Worker))}]").ToList();
        Assert.True(leasedTwice.Count == 0, $"{leasedTwice.Count} batch(es) computed twice:\n{string.Join('\n', leasedTwice)}");
        var received = events.Where(e => !e.Leased).GroupBy(e => e.Batch).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(batchCount, received.Count);
        Assert.All(received, r => Assert.Equal(1, r.Value));
        // Survivors' workers that the leave deactivated (their directory entries were on the stopped silo) started again.
        foreach (var survivor in silos.Where(s => s != victim))
        {
            var deactivated = survivor.LogLinesContaining($"Worker {WorkerKey(survivor)} deactivated while started").Select(l => l.Received).ToList();
            var restarted = survivor.LogLinesContaining($"Worker {WorkerKey(survivor)} started again").Select(l => l.Received).ToList();
            Assert.True(deactivated.All(d => restarted.Any(r => r > d)), $"{WorkerKey(survivor)} was deactivated and never started again\n{survivor.Tail()}");
            output.WriteLine($"{WorkerKey(survivor)}: deactivated {deactivated.Count} time(s) by the leave, started again {restarted.Count} time(s)");
        }
        var byVictim = events.Count(e => !e.Leased && e.Worker == WorkerKey(victim));
        output.WriteLine($"{byVictim} batches computed by {victim.Name}; {batchCount} leased and delivered once each");
        foreach (var line in silos.SelectMany(s => s.LinesContaining("already done"))) output.WriteLine(line);

        // And the maps are the maps of an undisturbed run.
        foreach (var slide in status.Slides)
        {
            var path = slides.Single(s => s.SlideId == slide.SlideId).Path;
            var map = ProbabilityMap.Load(InferenceOutputPaths.For(slide.OutputDirectory!, path).Map);
            var cells = plans[path].Batches.SelectMany(b => b.Cells).ToList();
            Assert.Equal(cells.Count, map.ComputedCount());
            Assert.All(cells, c => Assert.Equal(SimulatedDevice.Probability(Path.GetFileName(path), c.X, c.Y), map[c.X, c.Y]));
        }
    }

    private static string WorkerKey(SiloProcess silo) => $"{silo.Name}/{Device}";

    /// <summary>SlideGrain's and MapAssemblyGrain's per-batch Debug lines.</summary>
    [GeneratedRegex(@"Slide (?<slide>\S+): batch (?<batch>\d+) (?<what>leased to|result received from) (?<worker>\S+)")]
    private static partial Regex BatchEvent();
}
