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
    }

    /// <summary>Metrics on a meter of their own, for grains hosted where none were registered (a test silo, say).</summary>
    public static PathologyMetrics Unregistered { get; } = new(new Meter(Name));

    public Meter Meter { get; }

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
