using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Keeps every cohort's watchdog alive: every <see cref="PathologyGrainOptions.WatchInterval"/> it calls the cohorts the
/// <see cref="ICohortRegistryGrain"/> lists as running. A cohort whose silo died is reactivated on a live silo, and its
/// activation starts its watchdog again; a live one only answers its status. Cohorts found ended (every slide ended)
/// are dropped from the running list.
/// </summary>
internal sealed partial class CohortRevival(
    IGrainFactory grains,
    IOptions<PathologyGrainOptions> options,
    TimeProvider time,
    ILogger<CohortRevival> logger) : RevivalPass(time, logger)
{
    protected override TimeSpan Interval => options.Value.WatchInterval;

    protected override async Task ReviveAsync(CancellationToken stopping)
    {
        var registry = grains.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key);
        var cohorts = await registry.RunningAsync().WaitAsync(stopping);
        // Each cohort on its own: one unreachable until its dead silo is declared dead does not hold up the others.
        await Task.WhenAll(cohorts.Select(async cohortId =>
        {
            try
            {
                var status = await grains.GetGrain<ICohortGrain>(cohortId).GetStatusAsync().WaitAsync(stopping);
                // Ended means every slide ended: a cancelled cohort is watched until its slides have stopped.
                if (status is null || status.Slides.All(s => s.State is RunState.Completed or RunState.Failed or RunState.Cancelled))
                {
                    await registry.EndedAsync(cohortId).WaitAsync(stopping);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCohortUnreachable(Logger, ex, cohortId, Interval);
            }
        }));
    }

    [LoggerMessage(EventId = 4324, Level = LogLevel.Warning, Message = "Cohort revival: cohort {Cohort} did not answer; trying again in {Interval}")]
    private static partial void LogCohortUnreachable(ILogger logger, Exception exception, string cohort, TimeSpan interval);
}
