using System.Diagnostics;
using System.Runtime.ExceptionServices;
using OrleansPathology.Model;

namespace OrleansPathology.Inference;

/// <summary>
/// The model one worker device keeps loaded: one <see cref="BatchComputer"/> for the most recent
/// (weights content, precision), replaced when a batch asks for another. Weights are told apart by content (their
/// pinned digest, or else the file's size and time written), never by path alone: a file rewritten in place is a new model. Forward passes are serialised (a model's
/// forward is not re-entrant, and one at a time keeps a GPU's memory bounded); reading the next batch's
/// pixels goes on meanwhile, outside this gate. <paramref name="modelLoaded"/> hears how long each load took.
/// </summary>
public sealed class DeviceModel(string torchDevice, Action<double>? modelLoaded = null) : IScoringDevice
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BatchComputer? _computer;
    private (string Weights, string Precision) _loaded;
    private volatile string? _loadedWeights;
    private ((string Weights, string Precision) Key, ExceptionDispatchInfo Error)? _failed;
    private bool _disposed;
    private long _busyTicks;

    /// <summary>Threads of a CPU model's Winograd convolutions (<see cref="BatchComputer.WinogradThreads"/>); 0: libtorch's count.</summary>
    public int CpuThreads { get; init; }

    /// <summary>The weights file loaded now, or null before the first batch.</summary>
    public string? LoadedWeights => _loadedWeights;

    public bool NeedsPixels => true;

    public bool NeedsWeights => true;

    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Computes a read batch, loading <paramref name="weights"/> first when it is not the loaded model.</summary>
    public async Task<(float[] Probabilities, double Seconds)> ScoreAsync(
        TileBatch batch, BatchPixels? pixels, WeightsSource weights, string precision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var clock = Stopwatch.StartNew();
            var result = Load(weights, precision).Compute(pixels);
            Interlocked.Add(ref _busyTicks, clock.Elapsed.Ticks);
            return (result.Probabilities, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a forward pass in progress, then frees the model.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _computer?.Dispose();
            _computer = null;
            _loadedWeights = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private BatchComputer Load(WeightsSource weights, string precision)
    {
        var key = (weights.CacheKey(), precision);
        if (_computer is not null && _loaded == key) return _computer;
        // Parse first: a precision this device cannot run fails without unloading the current model.
        var device = ComputeDevice.Parse(torchDevice, precision);
        // A file that just failed to load fails again at once, until it is rewritten (a new key): every batch of a
        // slide asks for it, and building the network to find the file broken again costs each of them.
        if (_failed is { } failed && failed.Key == key)
            failed.Error.Throw();

        var loading = Stopwatch.StartNew();
        FcnResNet18 model;
        try
        {
            // Loaded on the CPU first, so a broken file leaves the current model in place.
            model = weights.Digest is { } digest ? PinnedWeights.LoadVerified(weights.Path, digest) : ModelWeights.Load(weights.Path).Model;
        }
        catch (Exception ex) when (ex is ModelWeightsException or IOException or UnauthorizedAccessException)
        {
            _failed = (key, ExceptionDispatchInfo.Capture(ex));
            throw;
        }

        _computer?.Dispose();
        _computer = null;
        _loadedWeights = null;
        try
        {
            _computer = new BatchComputer(model, device) { WinogradThreads = CpuThreads };
        }
        catch
        {
            model.Dispose();
            throw;
        }
        _failed = null;
        _loaded = key;
        _loadedWeights = weights.Path;
        Activity.Current?.SetTag("opath.model.load_seconds", loading.Elapsed.TotalSeconds);
        modelLoaded?.Invoke(loading.Elapsed.TotalSeconds);
        return _computer;
    }
}
