using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Model;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Telemetry;

[CollectionDefinition(Name)]
public sealed class TelemetrySiloCollection : ICollectionFixture<TelemetrySiloFixture>
{
    public const string Name = "telemetry silo";
}

/// <summary>
/// One silo built as <c>silo/Program.cs</c> builds it (web host, telemetry with the Prometheus exporter, health
/// endpoints on a free port), restricted to one data root, with in-memory exporters beside Prometheus. It scores a
/// small cohort once: CMU-1-Small-Region.svs (copied under the root) at stride 128, and the same slide named through
/// <c>root/../outside/</c>, which must be refused. Tests read the spans and metrics that run produced.
/// </summary>
public sealed class TelemetrySiloFixture : IAsyncLifetime
{
    public const string CohortId = "telemetry";
    public const string Worker = "telemetry-node/cpu:0";

    private readonly Recorded<Activity> _spans = new();

    public string Dir { get; } = TestData.NewTempDir("opath-telemetry");

    public string Root => Path.Combine(Dir, "root");

    /// <summary>The out-of-root slide as the cohort names it: under the root by its text, outside it once <c>..</c> is resolved.</summary>
    public string EscapingPath => Path.Combine(Root, "..", "outside", "cmu.svs");

    public WebApplication App { get; private set; } = null!;

    public int HealthPort { get; } = TestPorts.Next();

    public int GatewayPort { get; } = TestPorts.Next();

    /// <summary>Weights and outputs lie inside the data root too: a silo reads and writes nothing outside it.</summary>
    public string WeightsPath => Path.Combine(Root, "random.weights");

    public string OutputRoot => Path.Combine(Root, "out");

    public CohortStatus Status { get; private set; } = null!;

    /// <summary>What this silo's instruments (ours and Orleans') measured, from before it started.</summary>
    public SiloMeasurements Measurements { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Dir, "outside"));
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), Path.Combine(Root, "cmu.svs"));
        File.Copy(TestData.Slide("CMU-1-Small-Region.svs"), Path.Combine(Dir, "outside", "cmu.svs"));
        var weights = WeightsPath;
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Silo:SiloPort"] = TestPorts.Next().ToString(),
            ["Silo:GatewayPort"] = GatewayPort.ToString(),
            ["Silo:HealthPort"] = HealthPort.ToString(),
            ["Telemetry:Exporters"] = "prometheus",
            ["Workers:SiloName"] = "telemetry-node",
            ["Workers:Devices:0"] = "cpu:0",
            ["Workers:PollInterval"] = "00:00:00.050",
            ["Pathology:DataRoots:0"] = Root,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddPathologySilo();
        builder.AddPathologyTelemetry(TelemetryHosting.SiloService, defaultExporters: TelemetryHosting.Prometheus, canServePrometheus: true, traceAlways: true);
        builder.AddSiloEndpoints();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        App = builder.Build();
        Measurements = new SiloMeasurements(App.Services.GetRequiredService<IMeterFactory>(), PathologyTelemetry.Name, PathologyTelemetry.OrleansMeter);
        App.MapSiloEndpoints();
        using (var start = new CancellationTokenSource(TimeSpan.FromMinutes(1))) await App.StartAsync(start.Token);

        var spec = new CohortSpec(CohortId, [new SlideSpec("cmu", Path.Combine(Root, "cmu.svs")), new SlideSpec("escape", EscapingPath)],
            weights, OutputRoot, Stride: 128);
        var cohort = App.Services.GetRequiredService<IClusterClient>().GetGrain<ICohortGrain>(CohortId);
        await cohort.SubmitAsync(spec);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        CohortStatus? status;
        while ((status = await cohort.GetStatusAsync()) is not { State: not RunState.Running })
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"cohort {CohortId} did not finish within 4 minutes: {status}");
            await Task.Delay(200);
        }
        // The cohort can end a moment before the worker counts its last batch (the map finishes once the batch is stored;
        // the worker counts it, and records its metrics, when the store's answer reaches it): a CI run scraped /metrics in
        // between. The worker's count and its metrics change in one turn, so waiting for the count is enough.
        var worker = App.Services.GetRequiredService<IClusterClient>().GetGrain<IInferenceWorkerGrain>(Worker);
        var scored = status.Slides.Where(s => s.State == RunState.Completed).Sum(s => s.BatchesTotal);
        while ((await worker.GetStatusAsync()).BatchesDone < scored)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"worker {Worker} did not count the cohort's {scored} batch(es) within 4 minutes");
            await Task.Delay(50);
        }
        Status = status;
    }

    public async Task DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromMinutes(1))) await App.StopAsync(stop.Token);
        await App.DisposeAsync();
        Measurements.Dispose();
        Directory.Delete(Dir, recursive: true);
    }

    /// <summary>
    /// The spans of this fixture's cohort (other tests in the process may record spans of their own), once its span has
    /// ended: the cohort reports completion a moment before it ends its span.
    /// </summary>
    public async Task<IReadOnlyList<Activity>> CohortSpansAsync(string cohortId = CohortId)
    {
        Activity? cohort = null;
        await WaitUntilAsync(() => (cohort = Snapshot(_spans).SingleOrDefault(s =>
            s.OperationName == "opath.cohort" && Equals(s.GetTagItem("opath.cohort"), cohortId))) is not null, $"the span of cohort {cohortId} to end");
        return Snapshot(_spans).Where(s => s.TraceId == cohort!.TraceId).ToList();
    }

    /// <summary>Polls <paramref name="condition"/> (a wait point, not a sleep), failing after 30 s with what was awaited.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after 30 s waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static IReadOnlyList<T> Snapshot<T>(Recorded<T> items) => items.Snapshot();

    /// <summary>What an in-memory exporter appends to from its own thread, read by the test thread.</summary>
    private sealed class Recorded<T> : ICollection<T>
    {
        private readonly List<T> _items = [];
        private readonly Lock _lock = new();

        public int Count
        {
            get
            {
                lock (_lock) return _items.Count;
            }
        }

        public bool IsReadOnly => false;

        public IReadOnlyList<T> Snapshot()
        {
            lock (_lock) return [.. _items];
        }

        public void Add(T item)
        {
            lock (_lock) _items.Add(item);
        }

        public void Clear()
        {
            lock (_lock) _items.Clear();
        }

        public bool Contains(T item)
        {
            lock (_lock) return _items.Contains(item);
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (_lock) _items.CopyTo(array, arrayIndex);
        }

        public bool Remove(T item)
        {
            lock (_lock) return _items.Remove(item);
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
