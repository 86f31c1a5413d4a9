using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Keeps training runs going when no client is watching: every <see cref="TrainingOptions.ReviveInterval"/> it calls the
/// coordinator of each run the <see cref="ITrainingRegistryGrain"/> lists as running. A coordinator whose silo died is
/// reactivated on a live silo, where it resumes from its last checkpoint; a live one only reads its status. Runs that
/// turn out to have ended are dropped from the registry (their coordinator could not unregister them).
/// </summary>
internal sealed partial class TrainingRevival(
    IGrainFactory grains,
    IOptions<TrainingOptions> options,
    TimeProvider time,
    ILogger<TrainingRevival> logger) : RevivalPass(time, logger)
{
    private ITrainingRegistryGrain Registry => grains.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key);

    protected override TimeSpan Interval => options.Value.ReviveInterval;

    protected override Task<IReadOnlyList<string>> RunningAsync() => Registry.ActiveRunsAsync();

    protected override async Task<bool> CallAsync(string id)
    {
        var status = await grains.GetGrain<ITrainingCoordinatorGrain>(id).GetStatusAsync();
        if (status is not { State: not RunState.Running }) return false;
        LogDropped(Logger, id, status.State);
        return true;
    }

    protected override Task DropAsync(string id) => Registry.UnregisterAsync(id);

    [LoggerMessage(EventId = 4323, Level = LogLevel.Information, Message = "Training revival: run {RunId} had ended ({State}); dropped from the training registry")]
    private static partial void LogDropped(ILogger logger, string runId, RunState state);
}
