using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Keeps training runs going when no client is watching: once the silo is active, and every
/// <see cref="TrainingOptions.ReviveInterval"/> after, it asks the <see cref="ITrainingRegistryGrain"/> for the running
/// runs and calls each one's coordinator. A call to a coordinator whose silo died reactivates it on a live silo, where it
/// resumes from its last checkpoint; a call to a live one only reads its status. Runs that turn out to have ended are
/// dropped from the registry (their coordinator could not unregister them). Every silo does this, so the pass survives
/// any one silo; grain timers and the registry's own activation would not.
/// </summary>
internal sealed partial class TrainingRevival(
    IGrainFactory grains,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<TrainingRevival> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(TrainingRevival), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: a silo's start does not wait on the registry (its storage, or a dead silo's activation).
        _watch = WatchAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.ReviveInterval, time);
        try
        {
            // A first pass at once: a cluster started again picks up its runs without waiting an interval.
            do
            {
                try
                {
                    await ReviveAsync(stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(ex, options.Value.ReviveInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task ReviveAsync(CancellationToken stopping)
    {
        var registry = grains.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key);
        var runs = await registry.ActiveRunsAsync().WaitAsync(stopping);
        // Each run on its own: one coordinator unreachable until its dead silo is declared dead does not hold up the others.
        await Task.WhenAll(runs.Select(async runId =>
        {
            try
            {
                var status = await grains.GetGrain<ITrainingCoordinatorGrain>(runId).GetStatusAsync().WaitAsync(stopping);
                if (status is { State: not RunState.Running })
                {
                    await registry.UnregisterAsync(runId).WaitAsync(stopping);
                    LogDropped(runId, status.State);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunUnreachable(ex, runId, options.Value.ReviveInterval);
            }
        }));
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watch;
    }
}
