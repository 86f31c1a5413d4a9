using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Keeps training runs going when no client is watching: every <see cref="TrainingOptions.ReviveInterval"/> it asks the
/// <see cref="ITrainingRegistryGrain"/> for the running runs and calls each one's coordinator. A coordinator whose silo
/// died is reactivated on a live silo, where it resumes from its last checkpoint; a live one only reads its status. Runs
/// that turn out to have ended are dropped from the registry (their coordinator could not unregister them).
/// </summary>
internal sealed partial class TrainingRevival(
    IGrainFactory grains,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<TrainingRevival> logger) : RevivalPass(time, logger)
{
    protected override TimeSpan Interval => options.Value.ReviveInterval;

    protected override async Task ReviveAsync(CancellationToken stopping)
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
                    LogDropped(Logger, runId, status.State);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRunUnreachable(Logger, ex, runId, Interval);
            }
        }));
    }
}
