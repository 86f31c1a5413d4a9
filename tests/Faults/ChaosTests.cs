using OrleansPathology.Grains;
using OrleansPathology.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// The chaos test of issue 11: one cohort mixing good slides, bad ones (a corrupt file, a missing file, a file that is
/// not a slide) and a silo killed while it scores, on real silo processes and PostgreSQL. The good slides complete with
/// the engine's maps, each bad one fails with its reason, and the cohort ends.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ChaosTests(PostgresServerFixture server, SyntheticCohortFixture cohort, ITestOutputHelper output)
    : IClassFixture<SyntheticCohortFixture>, IDisposable
{
    private static readonly TimeSpan CohortTimeout = TimeSpan.FromMinutes(4);

    private readonly string _dir = TestData.NewTempDir("opath-chaos");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Good_slides_complete_bad_ones_fail_with_their_reasons_and_a_killed_silo_does_not_stop_the_cohort()
    {
        // The bad slides sit in the data root beside the good ones: each fails for what it is, not for where it is.
        var corrupt = Path.Combine(cohort.DataRoot, "corrupt.svs");
        File.Copy(TestData.Slide("broken.svs"), corrupt, overwrite: true);
        var missing = Path.Combine(cohort.DataRoot, "missing.svs");
        var notASlide = Path.Combine(cohort.DataRoot, "notes.svs");
        File.WriteAllText(notASlide, "a text file named like a slide\n");
        var good = cohort.Cohort("chaos", cohort.OutputRoot);
        var spec = good with
        {
            Slides = [.. good.Slides, new SlideSpec("corrupt", corrupt), new SlideSpec("missing", missing), new SlideSpec("not-a-slide", notASlide)],
        };

        var connectionString = await server.CreateOrleansDatabaseAsync("chaos");
        var settings = cohort.Settings(TimeSpan.FromSeconds(8));
        // The watchdog visits often here, so anything the kill leaves stalled is picked up within the test's time.
        settings["Pathology__WatchInterval"] = "00:00:02";
        settings["Pathology__StallTimeout"] = "00:00:20";
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), settings);
        var silos = await cluster.StartSilosAsync("chaos-a", "chaos-b");
        var client = await cluster.ConnectAsync();
        await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);

        // Wait point: the victim's worker has scored a batch and is scoring more.
        var victim = silos[1];
        await cluster.WaitUntilAsync(async () => await client.GetGrain<IInferenceWorkerGrain>(victim.WorkerKey).GetStatusAsync() is { BatchesDone: > 0, InFlight: > 0 },
            $"{victim.Name}'s worker to be scoring", CohortTimeout);
        var storedBefore = (await cluster.BatchRowsAsync(spec.CohortId)).Count;
        victim.Kill();
        output.WriteLine($"killed {victim.Name} with {storedBefore} of {cohort.BatchCount} batches stored");

        var status = await cluster.WaitForCohortAsync(client, spec.CohortId, CohortTimeout);

        var byId = status.Slides.ToDictionary(s => s.SlideId);
        foreach (var slide in good.Slides.Select(s => byId[s.SlideId]))
        {
            Assert.True(slide.State == RunState.Completed, $"{slide.SlideId} ended {slide.State}: {slide.Error}\n{cluster.Logs()}");
            output.WriteLine($"{slide.SlideId}: {cohort.AssertSameAsEngine(slide)} of {slide.CellsTotal} cells bitwise equal to the engine's");
        }
        Assert.Equal(RunState.Failed, byId["corrupt"].State);
        Assert.StartsWith(corrupt, byId["corrupt"].Error);
        Assert.Equal(RunState.Failed, byId["missing"].State);
        Assert.StartsWith(missing, byId["missing"].Error);
        Assert.Contains("not found", byId["missing"].Error);
        Assert.Equal(RunState.Failed, byId["not-a-slide"].State);
        Assert.StartsWith(notASlide, byId["not-a-slide"].Error);
        foreach (var id in new[] { "corrupt", "missing", "not-a-slide" }) output.WriteLine($"{id}: {byId[id].Error}");
        Assert.Equal(RunState.CompletedWithFailures, status.State);
        Assert.Equal(cohort.BatchCount, (await cluster.BatchRowsAsync(spec.CohortId)).Count);
    }
}
