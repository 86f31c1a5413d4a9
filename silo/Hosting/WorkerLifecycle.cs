using OrleansPathology.Grains.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Starts this silo's workers once the silo is active (so they are placed here and can call the cluster),
/// starts them again every <see cref="WorkerOptions.WatchInterval"/> (idempotent; it revives a worker whose
/// activation was lost), and drains them first thing when the silo stops, while the cluster still takes their results.
/// </summary>
internal sealed partial class WorkerLifecycle(
    IGrainFactory grains,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkerLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkerLifecycle), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private IEnumerable<(string Key, IInferenceWorkerGrain Grain)> Workers =>
        options.Value.Devices.Select(device => DeviceKeys.Format(options.Value.SiloName, device))
            .Select(key => (key, grains.GetGrain<IInferenceWorkerGrain>(key)));

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (key, worker) in Workers)
        {
            try
            {
                await worker.StartAsync().WaitAsync(cancellationToken);
            }
            catch (TimeoutException ex)
            {
                // Slow, not misconfigured (a device's first context, a loaded node): the silo starts and the watch tries again.
                LogStartSlow(ex, key, options.Value.WatchInterval);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A node that cannot run its workers is misconfigured: fail its start, naming the worker.
                LogStartFailed(ex, key);
                throw;
            }
        }
        LogStarted(options.Value.SiloName, string.Join(", ", options.Value.Devices));
        _watch = WatchAsync(_stopping.Token);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.WatchInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                foreach (var (key, worker) in Workers)
                {
                    try
                    {
                        await worker.StartAsync().WaitAsync(stopping);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogRestartFailed(ex, key, options.Value.WatchInterval);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watch;
        await Task.WhenAll(Workers.Select(async w =>
        {
            try
            {
                await w.Grain.DrainAsync().WaitAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                LogDrainFailed(ex, w.Key);
            }
        }));
    }
}
