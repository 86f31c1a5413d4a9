using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Grains;
using OrleansPathology.Model;
using OrleansPathology.Tests.Postgres;
using Xunit.Abstractions;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Ctrl+C and SIGTERM on real processes while they score (issue 11, case 8): <c>opath infer</c> and an embedded
/// <c>opath submit</c> stop and exit 130, a silo stops pulling work, drains and exits 0; never a crash (139), however
/// often it is tried. libtorch must not be torn down while a thread is inside a forward pass.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class InterruptTests(PostgresServerFixture server, SyntheticCohortFixture cohort, ITestOutputHelper output)
    : IClassFixture<SyntheticCohortFixture>, IDisposable
{
    private const int Tries = 3;
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopLimit = TimeSpan.FromMinutes(1);

    private readonly string _dir = TestData.NewTempDir("opath-interrupt");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Ctrl_c_during_opath_infer_exits_130_every_time_and_writes_nothing()
    {
        var weights = Weights();
        for (var i = 0; i < Tries; i++)
        {
            var outputs = Path.Combine(_dir, $"infer-{i}");
            using var opath = OpathProcess.Start(_dir, "infer", TestData.Slide("CMU-1-Small-Region.svs"), "--weights", weights, "--out", outputs);
            // Wait point: the progress line that comes once the model is loaded and the first batches are being read.
            await opath.WaitForLineAsync(l => l.Contains(" cells", StringComparison.Ordinal), "scoring to begin", StartLimit);

            var exit = await opath.SignalAndWaitAsync(OpathProcess.SigInt, StopLimit);

            output.WriteLine($"try {i + 1}: exit {exit}");
            Assert.True(exit == ExitCodes.Interrupted, $"try {i + 1}: exit {exit}\n{opath.Output()}");
            Assert.False(Directory.Exists(outputs) && Directory.EnumerateFiles(outputs).Any(), $"try {i + 1}: an interrupted infer wrote outputs");
        }
    }

    [Fact]
    public async Task Ctrl_c_during_an_embedded_opath_submit_exits_130_every_time()
    {
        var weights = Weights();
        var file = Path.Combine(_dir, "cohort.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new { id = "interrupted", slides = new[] { new { id = "cmu", path = TestData.Slide("CMU-1-Small-Region.svs") } } }));
        for (var i = 0; i < Tries; i++)
        {
            // Stride 32 (about 2,300 cells): with batch norm folded, the default stride's 570 cells were scored before the watcher's first line.
            using var opath = OpathProcess.Start(_dir, "submit", file, "--weights", weights, "--stride", "32", "--out", Path.Combine(_dir, $"submit-{i}"));
            // Wait point: the watcher's line once the first batches are recorded (the workers are inside forward passes).
            await opath.WaitForLineAsync(l => l.Contains("] Running: ", StringComparison.Ordinal) && !l.Contains("] Running: 0/", StringComparison.Ordinal),
                "the first batches to be scored", StartLimit);

            var exit = await opath.SignalAndWaitAsync(OpathProcess.SigInt, StopLimit);

            output.WriteLine($"try {i + 1}: exit {exit}");
            Assert.True(exit == ExitCodes.Interrupted, $"try {i + 1}: exit {exit}\n{opath.Output()}");
            Assert.Contains("opath submit: interrupted", opath.Stderr);
        }
    }

    [Fact]
    public async Task Sigterm_on_a_silo_while_it_scores_drains_it_and_exits_0_and_the_next_silo_finishes_the_cohort()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("sigterm");
        await using var cluster = new ProcessCluster(connectionString, Path.Combine(_dir, "silos"), cohort.Settings(TimeSpan.FromSeconds(20)));
        var spec = cohort.Cohort("sigterm", cohort.OutputRoot);
        IClusterClient? client = null;
        var stored = 0;
        for (var i = 0; i < 2; i++)
        {
            var silo = (await cluster.StartSilosAsync($"term-{i}"))[0];
            client ??= await cluster.ConnectAsync();
            if (i == 0) await client.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);
            // Wait point: this silo has stored batches of its own, and its worker is busy.
            var before = stored;
            await cluster.WaitUntilAsync(async () => (stored = (await cluster.BatchRowsAsync(spec.CohortId)).Count) > before + 2
                && (await client.GetGrain<IInferenceWorkerGrain>(silo.WorkerKey).GetStatusAsync()).InFlight > 0,
                $"silo {silo.Name} to score batches", StartLimit);

            await silo.StopAsync(StopLimit);

            output.WriteLine($"{silo.Name}: exit {silo.ExitCode} after SIGTERM with {stored} of {cohort.BatchCount} batches stored");
            Assert.True(silo.ExitCode == 0, $"{silo.Name} exited {silo.ExitCode} after SIGTERM\n{silo.Tail()}");
            Assert.NotEmpty(silo.LinesContaining("draining"));
        }

        await cluster.StartSilosAsync("term-last");
        var status = await cluster.WaitForCohortAsync(client!, spec.CohortId, TimeSpan.FromMinutes(3));
        Assert.Equal(RunState.Completed, status.State);
        Assert.Equal(cohort.BatchCount, (await cluster.BatchRowsAsync(spec.CohortId)).Count);
        foreach (var slide in status.Slides) cohort.AssertSameAsEngine(slide);
    }

    private string Weights()
    {
        var path = Path.Combine(_dir, "random.weights");
        if (!File.Exists(path))
        {
            using var model = new FcnResNet18();
            ModelWeights.Save(model, path, new ModelCard());
        }
        return path;
    }
}
