using System.Diagnostics;
using System.Runtime.ExceptionServices;
using OrleansPathology.Model;

namespace OrleansPathology.Inference;

/// <summary>
/// The model one worker device keeps loaded: one <see cref="BatchComputer"/> for the most recent
/// (weights, precision), replaced when a batch asks for another. Forward passes are serialised (a model's
/// forward is not re-entrant, and one at a time keeps a GPU's memory bounded); reading the next batch's
/// pixels goes on meanwhile, outside this gate. <paramref name="modelLoaded"/> hears how long each load took.
/// </summary>
public sealed class DeviceModel(string torchDevice, Action<double>? modelLoaded = null) : IScoringDevice
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private BatchComputer? _computer;
    private (string Weights, string Precision) _loaded;
    private volatile string? _loadedWeights;
    private ((string Weights, string Precision) Key, DateTime Written, ExceptionDispatchInfo Error)? _failed;
    private bool _disposed;
    private long _busyTicks;

    /// <summary>The weights file loaded now, or null before the first batch.</summary>
    public string? LoadedWeights => _loadedWeights;

    public bool NeedsPixels => true;

    public TimeSpan Busy => TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks));

    /// <summary>Computes a read batch, loading <paramref name="weightsPath"/> first when it is not the loaded model.</summary>
    public async Task<(float[] Probabilities, double Seconds)> ScoreAsync(
        TileBatch batch, BatchPixels? pixels, string weightsPath, string precision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var clock = Stopwatch.StartNew();
            var result = Load(weightsPath, precision).Compute(pixels);
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

    private BatchComputer Load(string weightsPath, string precision)
    {
        if (_computer is not null && _loaded == (weightsPath, precision)) return _computer;
        // Parse first: a precision this device cannot run fails without unloading the current model.
        var device = ComputeDevice.Parse(torchDevice, precision);
        var written = File.Exists(weightsPath) ? File.GetLastWriteTimeUtc(weightsPath) : default;
        // A file that just failed to load fails again at once, until it is rewritten: every batch of a slide
        // asks for it, and building the network to find the file broken again costs each of them.
        if (_failed is { } failed && failed.Key == (weightsPath, precision) && failed.Written == written)
            failed.Error.Throw();

        var loading = Stopwatch.StartNew();
        FcnResNet18 model;
        try
        {
            // Loaded on the CPU first, so a broken file leaves the current model in place.
            (model, _) = ModelWeights.Load(weightsPath);
        }
        catch (Exception ex) when (ex is ModelWeightsException or IOException or UnauthorizedAccessException)
        {
            _failed = ((weightsPath, precision), written, ExceptionDispatchInfo.Capture(ex));
            throw;
        }

        _computer?.Dispose();
        _computer = null;
        _loadedWeights = null;
        try
        {
            _computer = new BatchComputer(model, device);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        _failed = null;
        _loaded = (weightsPath, precision);
        _loadedWeights = weightsPath;
        Activity.Current?.SetTag("opath.model.load_seconds", loading.Elapsed.TotalSeconds);
        modelLoaded?.Invoke(loading.Elapsed.TotalSeconds);
        return _computer;
    }
}
