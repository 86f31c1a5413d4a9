using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using System.Diagnostics;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Grains;

namespace OrleansPathology.Tests.Telemetry;

/// <summary>The traces and metrics of one small real run (<see cref="TelemetrySiloFixture"/>).</summary>
[Collection(TelemetrySiloCollection.Name)]
public sealed class TelemetryTests(TelemetrySiloFixture silo, ITestOutputHelper output)
{
    private SlideProgress Scored => silo.Status.Slides.Single(s => s.SlideId == "cmu");

    [Fact]
    public async Task The_run_records_tiles_batch_latency_queue_depth_model_load_and_slide_outcomes()
    {
        Assert.Equal(RunState.Completed, Scored.State);
        Assert.True(Scored.CellsTotal > 0 && Scored.BatchesTotal > 0, $"nothing to score: {Scored}");
        var metrics = silo.Measurements;

        // Wait point: the worker counts a batch after its slide took it, and the cohort can report completion first.
        await TelemetrySiloFixture.WaitUntilAsync(() => metrics.Of("opath.tiles").Sum(m => m.Value) == Scored.CellsTotal,
            $"opath.tiles to reach the slide's {Scored.CellsTotal} cells");

        // Every batch of the slide was scored once here (no failure, no lost lease), counted by the worker on its device.
        var tiles = metrics.Of("opath.tiles");
        Assert.Equal(Scored.BatchesTotal, tiles.Count);
        Assert.All(tiles, m => Assert.Equal((TelemetrySiloFixture.Worker, "cpu:0"), (m.Tags["opath.worker"], m.Tags["opath.device"])));

        // Each batch has a latency no shorter than its forward pass.
        var latency = metrics.Of("opath.batch.duration");
        var infer = metrics.Of("opath.batch.infer.duration");
        Assert.Equal(Scored.BatchesTotal, latency.Count);
        Assert.Equal(Scored.BatchesTotal, infer.Count);
        Assert.Equal(Scored.BatchesTotal, metrics.Of("opath.batch.read.duration").Count);
        Assert.True(latency.Sum(m => m.Value) >= infer.Sum(m => m.Value), "batch latency shorter than its forward passes");

        // The queue depth rose with each lease, never past the worker's concurrency (2), and is back at zero.
        var depth = 0.0;
        var peak = 0.0;
        foreach (var change in metrics.Of("opath.worker.queue_depth"))
        {
            Assert.Equal(TelemetrySiloFixture.Worker, change.Tags["opath.worker"]);
            peak = Math.Max(peak, depth += change.Value);
        }
        Assert.Equal((0.0, true), (depth, peak is >= 1 and <= 2));

        // One model load on the worker's device, with a duration.
        var load = Assert.Single(metrics.Of("opath.model.load.duration"));
        Assert.Equal("cpu:0", load.Tags["opath.device"]);
        Assert.True(load.Value > 0);

        // One slide completed, one (the one outside the data roots) failed. Loaded full-suite runs saw a rare lease_expired
        // retry with no worker error: most likely a batch queued behind another for longer than its lease, which workers
        // now renew (tests/Workers/LeaseRenewalTests). Kept tolerant until full runs show none: each carries its reason, and few.
        Assert.Single(metrics.Of("opath.slides.completed"));
        Assert.Single(metrics.Of("opath.slides.failed"));
        var retried = metrics.Of("opath.batches.retried");
        Assert.All(retried, m => Assert.Contains((string)m.Tags["opath.reason"]!, new[] { "failed", "lease_expired" }));
        if (retried.Count > 0)
        {
            // The worker keeps its last batch error: in the test's output, so that the next occurrence names its cause.
            var worker = await silo.App.Services.GetRequiredService<IClusterClient>().GetGrain<IInferenceWorkerGrain>(TelemetrySiloFixture.Worker).GetStatusAsync();
            output.WriteLine($"{retried.Count} batch(es) retried ({string.Join(", ", retried.Select(m => m.Tags["opath.reason"]))}); the worker's last error: {worker.LastError ?? "(none)"}");
        }
        Assert.True(retried.Count <= 2, $"{retried.Count} batches retried: {string.Join(", ", retried.Select(m => m.Tags["opath.reason"]))}");

        // Orleans' own meter measured this silo too.
        Assert.Contains(metrics.All, m => m.Meter == "Microsoft.Orleans");
    }

    [Fact]
    public async Task Batch_spans_are_children_of_their_slide_span_under_the_cohort_span_with_read_infer_and_assemble_children()
    {
        var spans = await silo.CohortSpansAsync();
        var cohort = Assert.Single(spans, s => s.OperationName == "opath.cohort");
        Assert.Equal("completed", cohort.GetTagItem("opath.outcome"));

        var slides = spans.Where(s => s.OperationName == "opath.slide").ToDictionary(s => (string)s.GetTagItem("opath.slide")!);
        Assert.Equal(["cmu", "escape"], slides.Keys.Order());
        Assert.All(slides.Values, s => Assert.Equal(cohort.SpanId, s.ParentSpanId));
        Assert.Equal(("completed", ActivityStatusCode.Unset), ((string?)slides["cmu"].GetTagItem("opath.outcome"), slides["cmu"].Status));
        Assert.Equal(("failed", ActivityStatusCode.Error), ((string?)slides["escape"].GetTagItem("opath.outcome"), slides["escape"].Status));
        Assert.Contains("outside the configured data roots", slides["escape"].StatusDescription);

        var batches = spans.Where(s => s.OperationName == "opath.batch").ToList();
        Assert.Equal(Scored.BatchesTotal, batches.Count);
        Assert.Equal(Enumerable.Range(0, Scored.BatchesTotal), batches.Select(b => (int)b.GetTagItem("opath.batch.index")!).Order());
        foreach (var batch in batches)
        {
            Assert.Equal(slides["cmu"].SpanId, batch.ParentSpanId);
            Assert.Equal(($"{TelemetrySiloFixture.CohortId}/cmu", "cpu:0", TelemetrySiloFixture.Worker),
                ((string?)batch.GetTagItem("opath.slide"), (string?)batch.GetTagItem("opath.device"), (string?)batch.GetTagItem("opath.worker")));
            var children = spans.Where(s => s.ParentSpanId == batch.SpanId).Select(s => s.OperationName).ToList();
            Assert.All(new[] { "opath.batch.read", "opath.batch.infer", "opath.batch.assemble" }, name => Assert.Single(children, c => c == name));
        }
    }

    [Fact]
    public async Task A_client_submit_span_roots_the_cohort_trace_across_the_grain_call()
    {
        // A cohort whose one slide is refused at once (outside the data roots): its trace is short and costs no inference.
        var spec = new CohortSpec("traced-submit", [new SlideSpec("escape", silo.EscapingPath)], silo.WeightsPath,
            silo.OutputRoot, Stride: 128);
        await using (var session = await ClusterSession.ConnectAsync(new ClusterTarget(ClusterKind.Localhost, silo.GatewayPort), CancellationToken.None))
            await session.SubmitAsync(spec, CancellationToken.None);

        var spans = await silo.CohortSpansAsync(spec.CohortId);
        var submit = Assert.Single(spans, s => s.OperationName == "opath.submit");
        Assert.Equal(ActivityKind.Client, submit.Kind);
        var cohort = Assert.Single(spans, s => s.OperationName == "opath.cohort");
        // The cohort's span descends from the client's, through the grain call's spans that Orleans recorded between them.
        var byId = spans.ToDictionary(s => s.SpanId);
        var ancestors = new List<string>();
        for (var at = cohort; at.ParentSpanId != default && byId.TryGetValue(at.ParentSpanId, out var parent); at = parent)
            ancestors.Add(parent.OperationName);
        Assert.Equal("opath.submit", ancestors.LastOrDefault());
        Assert.Equal(submit.TraceId, Assert.Single(spans, s => s.OperationName == "opath.slide").TraceId);
    }

}
