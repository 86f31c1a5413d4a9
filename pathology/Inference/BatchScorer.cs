using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansPathology.Slides;

namespace OrleansPathology.Inference;

/// <summary>The batch scoring of one process: which slides it may read and how simulated devices behave.</summary>
public sealed record BatchScorerOptions
{
    /// <summary>Slides kept open (least recently used are closed). Default 8.</summary>
    public int OpenSlides { get; init; } = 8;

    /// <summary>Folders slides may be read from; empty allows any path.</summary>
    public IReadOnlyList<string> DataRoots { get; init; } = [];

    /// <summary>How <c>sim:N</c> devices behave.</summary>
    public SimulatedDeviceOptions Simulation { get; init; } = new();

    /// <summary>Free batch pixel buffers kept for the next batches (<see cref="PixelBufferPool"/>). Default 4: two devices' two batches in flight.</summary>
    public int PooledBuffers { get; init; } = 4;

    /// <summary>
    /// Threads each CPU device's Winograd convolutions use (<see cref="BatchComputer.WinogradThreads"/>); 0: libtorch's
    /// intra-op count. A silo's CPU devices compute at once, so they share the cores: <see cref="ThreadsPerCpuDevice"/>.
    /// </summary>
    public int CpuDeviceThreads { get; init; }

    /// <summary>
    /// The machine's cores shared among the CPU devices listed (at least 1). Two devices each running NNPACK on both
    /// cores of a 2-core machine took 2.9x as long as one thread each (BENCHMARKS.md, issue 12).
    /// </summary>
    public static int ThreadsPerCpuDevice(IEnumerable<string> devices, int processors)
    {
        var cpus = devices.Count(d => DeviceName.Parse(d).Kind == DeviceKind.Cpu);
        return Math.Max(1, processors / Math.Max(1, cpus));
    }
}

/// <summary>A batch's probabilities with the seconds spent reading its pixels and computing them.</summary>
public sealed record ScoredBatch(float[] Probabilities, double ReadSeconds, double ComputeSeconds);

/// <summary>
/// The read-then-compute of tile batches for every device of a process: the open slides (shared), and one
/// <see cref="IScoringDevice"/> per device name kept for the process's life. Reads of several batches run in
/// parallel; their computations queue on their device. Blocks on I/O and tensors: callers run it off any
/// scheduler that must stay free (a grain's turn).
/// </summary>
public sealed class BatchScorer(BatchScorerOptions options, TimeProvider time, Action<string, double>? modelLoaded = null) : IDisposable
{
    /// <summary>Span names of a batch's two stages (children of whatever span is current).</summary>
    public const string ReadSpan = "opath.batch.read", ComputeSpan = "opath.batch.infer";

    // Same name as the silo's source, so one AddSource("OrleansPathology") listens to both.
    private static readonly ActivitySource Source = new("OrleansPathology");
    private readonly ConcurrentDictionary<string, IScoringDevice> _devices = new(StringComparer.Ordinal);
    private readonly SlideHandles _slides = new(options.OpenSlides);
    private readonly DataRoots _roots = new(options.DataRoots);
    private readonly PixelBufferPool _buffers = new(options.PooledBuffers);
    private int _batchesInFlight;

    /// <summary>Slides open now.</summary>
    public int OpenSlides => _slides.Count;

    /// <summary>The weights a device holds, or null.</summary>
    public string? LoadedWeights(string device) => _devices.TryGetValue(device, out var d) ? d.LoadedWeights : null;

    /// <summary>Time a device has spent computing since it was first used.</summary>
    public TimeSpan BusyOf(string device) => _devices.TryGetValue(device, out var d) ? d.Busy : TimeSpan.Zero;

    /// <summary>
    /// Reads <paramref name="batch"/>'s pixels (when its device needs them) and scores them on <paramref name="device"/>
    /// (<c>cpu:N</c>, <c>cuda:N</c> or <c>sim:N</c>) with <paramref name="weights"/> at <paramref name="precision"/>.
    /// The slide and the weights are read only from inside the data roots.
    /// </summary>
    public async Task<ScoredBatch> ScoreAsync(TileBatch batch, WeightsSource weights, string precision, string device, CancellationToken cancellationToken = default)
    {
        var scorer = Device(device);
        if (scorer.NeedsWeights) weights = weights with { Path = _roots.Check(weights.Path, DataPathKind.Weights) };
        Interlocked.Increment(ref _batchesInFlight);
        try
        {
            BatchPixels? pixels = null;
            var read = Stopwatch.StartNew();
            if (scorer.NeedsPixels)
            {
                using (Source.StartActivity(ReadSpan))
                using (var lease = _slides.Open(_roots.Resolve(batch.SlidePath)))
                    pixels = BatchReader.Read(lease.Slide, batch, _buffers);
            }
            var readSeconds = read.Elapsed.TotalSeconds;

            using (Source.StartActivity(ComputeSpan))
            {
                var (probabilities, seconds) = await scorer.ScoreAsync(batch, pixels, weights, precision, cancellationToken).ConfigureAwait(false);
                // Only once computed: after a failure or a cancellation the device may still hold the buffer, and the GC takes it.
                if (pixels is not null) _buffers.Return(pixels.Rgb);
                return new ScoredBatch(probabilities, readSeconds, seconds);
            }
        }
        finally
        {
            // An idle silo keeps no buffers (up to 59 MB each): with no batch in flight the free ones go to the GC.
            if (Interlocked.Decrement(ref _batchesInFlight) == 0) _buffers.Clear();
        }
    }

    /// <summary>Bytes of free pixel buffers kept for the next batches.</summary>
    public long PooledBufferBytes => _buffers.FreeBytes;

    public void Dispose()
    {
        foreach (var device in _devices.Values) device.Dispose();
        _devices.Clear();
        _slides.Dispose();
    }

    private IScoringDevice Device(string device) => _devices.GetOrAdd(device, name =>
    {
        var parsed = DeviceName.Parse(name);
        return parsed.Kind == DeviceKind.Sim
            ? new SimulatedDevice(options.Simulation, time)
            : new DeviceModel(parsed.TorchDevice, seconds => modelLoaded?.Invoke(name, seconds)) { CpuThreads = options.CpuDeviceThreads };
    });
}
