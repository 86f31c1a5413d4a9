using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Keeps every cohort's watchdog alive: every <see cref="PathologyGrainOptions.WatchInterval"/> it calls the cohorts the
/// <see cref="ICohortRegistryGrain"/> lists as running. A cohort whose silo died is reactivated on a live silo, and its
/// activation starts its watchdog again; a live one only answers its status. Cohorts whose every slide has ended are
/// dropped from the running list (a cancelled cohort is watched until its slides have stopped).
/// </summary>
internal sealed class CohortRevival(
    IGrainFactory grains,
    IOptions<PathologyGrainOptions> options,
    TimeProvider time,
    ILogger<CohortRevival> logger) : RevivalPass(time, logger)
{
    private ICohortRegistryGrain Registry => grains.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key);

    protected override TimeSpan Interval => options.Value.WatchInterval;

    protected override Task<IReadOnlyList<string>> RunningAsync() => Registry.RunningAsync();

    protected override async Task<bool> CallAsync(string id) =>
        await grains.GetGrain<ICohortGrain>(id).GetStatusAsync() is not { } status
        || status.Slides.All(s => s.State is RunState.Completed or RunState.Failed or RunState.Cancelled);

    protected override Task DropAsync(string id) => Registry.EndedAsync(id);
}
