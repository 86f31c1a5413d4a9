namespace OrleansPathology.Grains.Operations;

/// <summary>What the cohort registry persists: cohort ids in submission order, oldest first, and those not yet ended.</summary>
[GenerateSerializer, Alias("opath.CohortRegistryState")]
public sealed class CohortRegistryState
{
    [Id(0)] public List<string> Cohorts { get; set; } = [];

    /// <summary>Submitted and not known to have ended: what every silo's cohort revival calls.</summary>
    [Id(1)] public List<string> Running { get; set; } = [];
}

/// <summary>
/// The cluster's list of cohorts. A cohort registers once, when first submitted; a list call never reaches a cohort.
/// Bounded at <see cref="Kept"/> so that the state stays one small row however long the cluster runs.
/// </summary>
[Reentrant]
public sealed class CohortRegistryGrain(
    [PersistentState("cohort-registry", PathologyGrainOptions.StorageName)] IPersistentState<CohortRegistryState> state)
    : Grain, ICohortRegistryGrain
{
    /// <summary>Cohorts remembered for listing; the oldest are forgotten here (not in their own grains).</summary>
    public const int Kept = 1000;

    private readonly StateWriteGate _writes = new();

    public async Task RegisterAsync(string cohortId, DateTimeOffset submittedAt)
    {
        var (listed, running) = (state.State.Cohorts.Contains(cohortId), state.State.Running.Contains(cohortId));
        if (listed && running) return;
        if (!listed) state.State.Cohorts.Add(cohortId);
        if (state.State.Cohorts.Count > Kept) state.State.Cohorts.RemoveRange(0, state.State.Cohorts.Count - Kept);
        // A resubmission may restart what was interrupted, so it runs again until a revival pass sees it ended.
        if (!running) state.State.Running.Add(cohortId);
        await _writes.WriteAsync(state);
    }

    public async Task EndedAsync(string cohortId)
    {
        if (state.State.Running.Remove(cohortId)) await _writes.WriteAsync(state);
    }

    public Task<IReadOnlyList<string>> RunningAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Running]);

    public Task<IReadOnlyList<string>> RecentAsync(int max) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Cohorts.AsEnumerable().Reverse().Take(Math.Max(0, max))]);
}
