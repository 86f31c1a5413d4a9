using System.Text.RegularExpressions;
using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Real silo processes on a real PostgreSQL server, scoring a real (synthetic) cohort: one silo killed in the
/// middle, and the whole cluster stopped and started again. Each run's maps must equal the engine's own.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ClusterFailureTests(PostgresServerFixture server, SyntheticCohortFixture cohort, ITestOutputHelper output)
    : IClassFixture<SyntheticCohortFixture>, IDisposable
{
    /// <summary>How long a whole cohort may take on a loaded 2-core machine, fault and recovery included.</summary>
    private static readonly TimeSpan CohortTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dir = TestData.NewTempDir("opath-faults-run");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_silo_killed_while_its_worker_holds_leases_does_not_stop_the_cohort_and_the_maps_equal_the_engines()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("kill");
        // A short lease: batches leased to the dead worker are handed out again 8 s after they were leased.
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), cohort.Settings(TimeSpan.FromSeconds(8)));
        var silos = await cluster.StartSilosAsync("kill-a", "kill-b", "kill-c");
        var client = await cluster.ConnectAsync();
        var spec = cohort.Cohort("kill", cohort.OutputRoot);
        await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);

        // Wait point: a silo that hosts neither slide grain (two slides, three silos: there is always one), whose worker
        // has finished a batch and holds leases now. Killing it leaves those leases with live slide grains, which must
        // notice that they ran out; whatever else it hosted (dispatcher, maps, cohort) must come back elsewhere.
        var management = client.GetGrain<IManagementGrain>(0);
        SiloProcess? victim = null;
        await cluster.WaitUntilAsync(async () =>
        {
            var slideHosts = new HashSet<int>();
            foreach (var slide in spec.Slides)
            {
                var host = await management.GetActivationAddress(client.GetGrain<ISlideGrain>($"{spec.CohortId}/{slide.SlideId}"));
                if (host is not null) slideHosts.Add(host.Endpoint.Port);
            }
            foreach (var silo in silos.Where(s => !slideHosts.Contains(s.SiloPort)))
            {
                var worker = await client.GetGrain<IInferenceWorkerGrain>(silo.WorkerKey).GetStatusAsync();
                // Both slots busy: the worker takes new leases as soon as a batch is reported, so it surely holds one when killed.
                if (worker is { BatchesDone: > 0, InFlight: >= ProcessCluster.WorkerConcurrency }) victim = silo;
            }
            return victim is not null;
        }, "a silo without slide grains whose worker has finished a batch and holds leases", CohortTimeout);
        var storedBefore = (await cluster.BatchRowsAsync(spec.CohortId)).Count;

        victim!.Kill();
        output.WriteLine($"killed {victim.Name} (pid {victim.ProcessId}) with {storedBefore} of {cohort.BatchCount} batches stored");

        var status = await cluster.WaitForCohortAsync(client, spec.CohortId, CohortTimeout);

        Assert.Equal(RunState.Completed, status.State);
        Assert.All(status.Slides, s => Assert.Equal((RunState.Completed, null, s.BatchesTotal, s.CellsTotal), (s.State, s.Error, s.BatchesDone, s.CellsDone)));
        Assert.Equal(cohort.BatchCount, status.Slides.Sum(s => s.BatchesTotal));
        // Exactly once: one row per batch (the table's key allows no second), however often a batch was computed.
        var rows = await cluster.BatchRowsAsync(spec.CohortId);
        Assert.Equal(cohort.BatchCount, rows.Count);
        foreach (var slide in status.Slides)
            output.WriteLine($"{slide.SlideId}: {cohort.AssertSameAsEngine(slide)} of {slide.CellsTotal} cells bitwise equal to the engine's");

        // The dead worker's batches went back out to survivors. Which path did it depends on where Orleans kept the slide
        // grain's directory entry: on a survivor, the slide grain lives on and leases the batch again when the dead
        // worker's lease runs out; on the killed silo, the survivors deactivate the slide grain once they declare that
        // silo dead, and its next activation (which never saw the old leases) leases every unfinished batch afresh.
        // Either way the slides' own lease log accounts for each batch: held = leased to the dead worker, no result from it.
        var survivors = silos.Where(s => s != victim).ToList();
        // Every silo's log, the victim's too: a map it hosted may have received the victim's own result before the kill.
        var events = silos.SelectMany(s => s.LogLinesContaining("Slide " + spec.CohortId + "/"))
            .Select(line => (line.Received, Match: BatchEvent().Match(line.Text)))
            .Where(e => e.Match.Success)
            .Select(e => (e.Received, Batch: (Slide: e.Match.Groups["slide"].Value, Index: int.Parse(e.Match.Groups["batch"].Value)),
                Leased: e.Match.Groups["what"].Value == "leased to", Worker: e.Match.Groups["worker"].Value))
            .OrderBy(e => e.Received)
            .ToList();
        var held = events.Where(e => e.Leased && e.Worker == victim.WorkerKey).GroupBy(e => e.Batch)
            .Where(g => !events.Any(e => !e.Leased && e.Worker == victim.WorkerKey && e.Batch == g.Key))
            .Select(g => (Batch: g.Key, LeasedAt: g.Max(e => e.Received)))
            .ToList();
        Assert.True(held.Count > 0, $"{victim.WorkerKey} held no lease when it was killed (the wait point saw {ProcessCluster.WorkerConcurrency} in flight)\n{cluster.Logs()}");
        foreach (var (batch, leasedAt) in held)
        {
            var later = events.Where(e => e.Batch == batch && e.Received > leasedAt && e.Worker != victim.WorkerKey).ToList();
            var leasedAgain = later.Where(e => e.Leased).Select(e => e.Worker).ToList();
            output.WriteLine($"{batch.Slide} batch {batch.Index}: held by {victim.WorkerKey} when it was killed, then leased to [{string.Join(", ", leasedAgain)}]");
            // A survivor computed it after the dead worker had it...
            Assert.Contains(later, e => !e.Leased);
            // ...because it was leased out again; else only because a survivor that held it before (and outlived its own
            // lease on a loaded machine, so the batch went to the dead worker) delivered it all the same.
            var earlierHolders = events.Where(e => e.Leased && e.Batch == batch && e.Received < leasedAt).Select(e => e.Worker).ToHashSet();
            Assert.True(leasedAgain.Count > 0 || later.Any(e => !e.Leased && earlierHolders.Contains(e.Worker)),
                $"{batch.Slide} batch {batch.Index}, held by {victim.WorkerKey} when it was killed, was never leased to a survivor again\n{cluster.Logs()}");
        }
        foreach (var line in survivors.SelectMany(s => s.LinesContaining($"held by {victim.WorkerKey} expired").Concat(s.LinesContaining("LocalGrainDirectory is deactivating"))))
            output.WriteLine(line);
    }

    [Fact]
    public async Task A_cluster_stopped_and_started_again_resumes_the_cohort_by_itself_without_recomputing_stored_batches()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("restart");
        // Leases far longer than the run: no batch is ever leased twice here, so worker counts are exact.
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), cohort.Settings(TimeSpan.FromMinutes(10)));
        await cluster.StartSilosAsync("first-a", "first-b", "first-c");
        var client = await cluster.ConnectAsync();
        var spec = cohort.Cohort("restart", cohort.OutputRoot);
        await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);

        // Wait point: about a third of the batches stored.
        await cluster.WaitUntilAsync(async () => (await cluster.BatchRowsAsync(spec.CohortId)).Count >= cohort.BatchCount / 3,
            $"a third of {cohort.BatchCount} batches to be stored", CohortTimeout);
        await cluster.DisconnectAsync();
        await cluster.StopAllAsync(TimeSpan.FromMinutes(1));
        var before = await cluster.BatchRowsAsync(spec.CohortId);
        Assert.InRange(before.Count, 1, cohort.BatchCount - 1);
        output.WriteLine($"stopped the cluster with {before.Count} of {cohort.BatchCount} batches stored");

        var second = await cluster.StartSilosAsync("second-a", "second-b", "second-c");
        // Wait point, through the database only: nobody calls a grain, so the cluster resumes the cohort by itself
        // (workers pull from the dispatcher, which reloads its active slides; each slide reloads its state and its map).
        await cluster.WaitUntilAsync(async () => (await cluster.BatchRowsAsync(spec.CohortId)).Count == cohort.BatchCount,
            $"all {cohort.BatchCount} batches to be stored after the restart", CohortTimeout);
        client = await cluster.ConnectAsync();
        var status = await cluster.WaitForCohortAsync(client, spec.CohortId, CohortTimeout);

        Assert.Equal(RunState.Completed, status.State);
        Assert.All(status.Slides, s => Assert.Equal((RunState.Completed, null, s.BatchesTotal, s.CellsTotal), (s.State, s.Error, s.BatchesDone, s.CellsDone)));
        var after = await cluster.BatchRowsAsync(spec.CohortId);
        Assert.Equal(cohort.BatchCount, after.Count);
        // Batches stored before the stop are the same rows, untouched...
        Assert.Empty(before.Except(after));
        // ...and were not computed again: the new workers computed exactly the batches that were missing.
        // A worker counts a batch in its own turn after the slide accepted it, so wait until none is in flight.
        WorkerStatus[] workers = [];
        await cluster.WaitUntilAsync(async () =>
        {
            workers = await Task.WhenAll(second.Select(s => client.GetGrain<IInferenceWorkerGrain>(s.WorkerKey).GetStatusAsync()));
            return workers.All(w => w.InFlight == 0);
        }, "the new workers to finish counting their batches", TimeSpan.FromSeconds(15));
        Assert.Equal(cohort.BatchCount - before.Count, workers.Sum(w => w.BatchesDone));
        // Each slide grain, reloaded once, found in the store exactly the batches stored before the stop.
        var resumed = second.SelectMany(s => s.LinesContaining("already done")).ToList();
        foreach (var line in resumed) output.WriteLine(line);
        Assert.Equal(spec.Slides.Count, resumed.Count);
        Assert.Equal(before.Count, resumed.Sum(line => int.Parse(AlreadyDone().Match(line).Groups[1].Value)));
        foreach (var slide in status.Slides)
            output.WriteLine($"{slide.SlideId}: {cohort.AssertSameAsEngine(slide)} of {slide.CellsTotal} cells bitwise equal to the engine's");
    }

    /// <summary>SlideGrain's per-batch Debug lines: "Slide {key}: batch {index} leased to {worker}" and "... result received from {worker}".</summary>
    [GeneratedRegex(@"Slide (?<slide>\S+): batch (?<batch>\d+) (?<what>leased to|result received from) (?<worker>\S+)")]
    private static partial Regex BatchEvent();

    /// <summary>SlideGrain's planning line: "Slide {key}: {batches} batches, {cells} cells, {done} already done".</summary>
    [GeneratedRegex(@"cells, (\d+) already done")]
    private static partial Regex AlreadyDone();
}
