using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Slides;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Workers;

/// <summary>
/// The pixel and tensor side of a silo's workers, shared by them and outliving their activations: the
/// open slides, one loaded model per worker device, and the read-then-compute of one work item. Its
/// methods block on I/O and tensors: callers run them off the grain's turn.
/// </summary>
public sealed class WorkerEngine(
    IOptions<WorkerOptions> options,
    IOptions<PathologyGrainOptions> grainOptions,
    PathologyMetrics? metrics = null) : IDisposable
{
    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;
    private readonly ConcurrentDictionary<string, DeviceModel> _models = new(StringComparer.Ordinal);
    private readonly SlideHandles _slides = new(options.Value.OpenSlides);
    private readonly DataRoots _roots = new(grainOptions.Value.DataRoots);

    /// <summary>Slides open now.</summary>
    public int OpenSlides => _slides.Count;

    /// <summary>The weights loaded for a worker device, or null.</summary>
    public string? LoadedWeights(string device) => _models.TryGetValue(device, out var model) ? model.LoadedWeights : null;

    /// <summary>
    /// Reads a work item's pixels from its slide and computes its probabilities on <paramref name="device"/>
    /// (<c>cpu:N</c> or <c>cuda:N</c>). Reads of several items run in parallel; their forward passes queue
    /// on the device's model.
    /// </summary>
    public async Task<WorkResult> RunAsync(WorkItem item, string worker, string device, CancellationToken cancellationToken = default)
    {
        var batch = WorkItems.ToTileBatch(item);
        var precision = string.IsNullOrWhiteSpace(item.Precision) ? options.Value.Precision : item.Precision;

        var read = Stopwatch.StartNew();
        BatchPixels pixels;
        using (PathologyTelemetry.Source.StartActivity(PathologyTelemetry.Spans.Read))
        using (var lease = _slides.Open(_roots.Resolve(item.SlidePath)))
            pixels = BatchReader.Read(lease.Slide, batch);
        var readSeconds = read.Elapsed.TotalSeconds;

        var model = _models.GetOrAdd(device, d => new DeviceModel(WorkerDevices.TorchDevice(d), seconds => _metrics.ModelLoaded(d, seconds)));
        BatchResult result;
        double computeSeconds;
        using (PathologyTelemetry.Source.StartActivity(PathologyTelemetry.Spans.Infer))
            (result, computeSeconds) = await model.ComputeAsync(item.WeightsPath, precision, pixels, cancellationToken).ConfigureAwait(false);
        return new WorkResult(item.SlideKey, item.BatchIndex, result.Probabilities, worker, readSeconds, computeSeconds);
    }

    public void Dispose()
    {
        foreach (var model in _models.Values) model.Dispose();
        _models.Clear();
        _slides.Dispose();
    }
}
