using System.Diagnostics;
using System.Diagnostics.Metrics;
using static OrleansPathology.Grains.Telemetry.PathologyTelemetry;

namespace OrleansPathology.Grains.Telemetry;

/// <summary>
/// The system's instruments on one <see cref="Meter"/> named <see cref="PathologyTelemetry.Name"/>, made by the
/// host's <see cref="IMeterFactory"/> (so each silo of a test process has its own). Exported with OpenTelemetry
/// names: <c>opath.tiles</c> is <c>opath_tiles_total</c> on the Prometheus endpoint, and so on. Rates (tiles/s,
/// training patches/s) are the rates of the counters.
/// </summary>
public sealed class PathologyMetrics
{
    private readonly Counter<long> _tiles;
    private readonly Histogram<double> _batchDuration;
    private readonly Histogram<double> _readDuration;
    private readonly Histogram<double> _inferDuration;
    private readonly UpDownCounter<int> _queueDepth;
    private readonly Counter<long> _batchesRetried;
    private readonly Counter<long> _slidesFinished;
    private readonly Counter<long> _slidesFailed;
    private readonly Histogram<double> _modelLoad;
    private readonly Gauge<double> _trainingLoss;
    private readonly Counter<long> _trainingPatches;
    private readonly Histogram<double> _trainingStep;
    private readonly Counter<double> _pixelWork;
    private readonly Lock _gaugeLock = new();
    private PendingWork? _pending;
    private Dictionary<string, double> _utilization = [];

    public PathologyMetrics(IMeterFactory meterFactory)
        : this(meterFactory.Create(new MeterOptions(Name)))
    {
    }

    private PathologyMetrics(Meter meter)
    {
        Meter = meter;
        _tiles = meter.CreateCounter<long>("opath.tiles", "{tile}", "Tiles (map cells) scored by workers; its rate is tiles per second.");
        _batchDuration = meter.CreateHistogram<double>("opath.batch.duration", "s", "Batch latency on a worker: read, forward pass and report.");
        _readDuration = meter.CreateHistogram<double>("opath.batch.read.duration", "s", "Reading a batch's pixels from its slide.");
        _inferDuration = meter.CreateHistogram<double>("opath.batch.infer.duration", "s", "A batch's forward pass, model loading included.");
        _queueDepth = meter.CreateUpDownCounter<int>("opath.worker.queue_depth", "{batch}", "Batches leased to a worker and not yet reported.");
        _batchesRetried = meter.CreateCounter<long>("opath.batches.retried", "{batch}", "Batches leased again after a failure or an expired lease.");
        _slidesFinished = meter.CreateCounter<long>("opath.slides.completed", "{slide}", "Slides whose maps were written.");
        _slidesFailed = meter.CreateCounter<long>("opath.slides.failed", "{slide}", "Slides that failed.");
        _modelLoad = meter.CreateHistogram<double>("opath.model.load.duration", "s", "Loading weights onto a worker device.");
        _trainingLoss = meter.CreateGauge<double>("opath.training.loss", null, "Loss of the latest training step.");
        _trainingPatches = meter.CreateCounter<long>("opath.training.patches", "{patch}", "Training patches processed; its rate is the training throughput.");
        _trainingStep = meter.CreateHistogram<double>("opath.training.step.duration", "s", "One optimiser step (forward, backward, update).");
        _pixelWork = meter.CreateCounter<double>("opath.pixel_work.cpu", "s",
            "CPU time of the pixel work slide and map grains delegate (stage plan: slide and tissue mask; outputs: map files).");
        // The scaling gauges: exported as opath_work_pending_cells, opath_work_pending_batches and opath_device_utilization
        // (no unit, so the exporter adds no suffix: KEDA and Grafana query exactly these names).
        meter.CreateObservableGauge(PendingCellsName, () => PendingMeasurement(p => p.Cells), null,
            "Cells of planned, running slides not yet recorded, cluster-wide (reported by one silo at a time).");
        meter.CreateObservableGauge(PendingBatchesName, () => PendingMeasurement(p => p.Batches), null,
            "Batches of planned, running slides not yet recorded, cluster-wide (reported by one silo at a time).");
        meter.CreateObservableGauge(UtilizationName, UtilizationMeasurements, null,
            "Share of the last minute a device spent computing batches, 0 to 1, per device of this silo.");
    }

    /// <summary>Instrument names of the scaling gauges (OpenTelemetry names; Prometheus replaces the dots with underscores).</summary>
    public const string PendingCellsName = "opath.work.pending_cells", PendingBatchesName = "opath.work.pending_batches",
        UtilizationName = "opath.device.utilization";

    /// <summary>Metrics on a meter of their own, for grains hosted where none were registered (a test silo, say).</summary>
    public static PathologyMetrics Unregistered { get; } = new(new Meter(Name));

    public Meter Meter { get; }

    /// <summary>
    /// The work waiting cluster-wide, as this silo last gathered it; null when another silo reports it (the gauges then
    /// have no value here, so a sum over pods counts it once).
    /// </summary>
    public void ReportPendingWork(PendingWork? pending)
    {
        lock (_gaugeLock) _pending = pending;
    }

    /// <summary>Each local device's share of the last minute spent computing (0..1).</summary>
    public void ReportUtilization(IReadOnlyDictionary<string, double> byDevice)
    {
        lock (_gaugeLock) _utilization = byDevice.ToDictionary(p => p.Key, p => Math.Clamp(p.Value, 0, 1));
    }

    private IEnumerable<Measurement<long>> PendingMeasurement(Func<PendingWork, long> value)
    {
        lock (_gaugeLock) return _pending is { } pending ? [new Measurement<long>(value(pending))] : [];
    }

    private IEnumerable<Measurement<double>> UtilizationMeasurements()
    {
        lock (_gaugeLock)
            return _utilization.Select(p => new Measurement<double>(p.Value, new KeyValuePair<string, object?>(Attributes.Device, p.Key))).ToList();
    }

    /// <summary>A worker took a batch: it counts towards its queue depth until <see cref="BatchEnded"/>.</summary>
    public void BatchStarted(string worker) => _queueDepth.Add(1, new KeyValuePair<string, object?>(Attributes.Worker, worker));

    /// <summary>A worker is done with a batch, whatever the outcome.</summary>
    public void BatchEnded(string worker) => _queueDepth.Add(-1, new KeyValuePair<string, object?>(Attributes.Worker, worker));

    /// <summary>A batch was scored and its result reported.</summary>
    public void BatchScored(string worker, string device, int cells, double seconds, double readSeconds, double inferSeconds)
    {
        var tags = new TagList { { Attributes.Worker, worker }, { Attributes.Device, device } };
        _tiles.Add(cells, tags);
        _batchDuration.Record(seconds, tags);
        _readDuration.Record(readSeconds, tags);
        _inferDuration.Record(inferSeconds, tags);
    }

    /// <summary>A slide leases a batch again; <paramref name="reason"/> is <c>failed</c> or <c>lease_expired</c>.</summary>
    public void BatchRetried(string reason) => _batchesRetried.Add(1, new KeyValuePair<string, object?>(Attributes.Reason, reason));

    public void SlideCompleted() => _slidesFinished.Add(1);

    /// <summary>Pixel work done for the coordination: <paramref name="stage"/> is <c>plan</c> or <c>outputs</c>.</summary>
    public void PixelWork(string stage, TimeSpan cpu) => _pixelWork.Add(cpu.TotalSeconds, new KeyValuePair<string, object?>("opath.stage", stage));

    public void SlideFailed() => _slidesFailed.Add(1);

    /// <summary>Weights were loaded onto <paramref name="device"/> (a worker device, <c>cpu:0</c> or <c>cuda:1</c>).</summary>
    public void ModelLoaded(string device, double seconds) =>
        _modelLoad.Record(seconds, new KeyValuePair<string, object?>(Attributes.Device, device));

    /// <summary>One training step: its loss, the patches it saw and how long it took, on <paramref name="worker"/> when given.</summary>
    public void RecordTrainingStep(double loss, int patches, double seconds, string? worker = null)
    {
        var tags = worker is null ? default : new TagList { { Attributes.Worker, worker } };
        _trainingLoss.Record(loss, tags);
        _trainingPatches.Add(patches, tags);
        _trainingStep.Record(seconds, tags);
    }
}
