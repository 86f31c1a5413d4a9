namespace OrleansPathology.Grains.Operations;

/// <summary>What the cohort registry persists: cohort ids in submission order, oldest first.</summary>
[GenerateSerializer, Alias("opath.CohortRegistryState")]
public sealed class CohortRegistryState
{
    [Id(0)] public List<string> Cohorts { get; set; } = [];
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
        if (state.State.Cohorts.Contains(cohortId)) return;
        state.State.Cohorts.Add(cohortId);
        if (state.State.Cohorts.Count > Kept) state.State.Cohorts.RemoveRange(0, state.State.Cohorts.Count - Kept);
        await _writes.WriteAsync(state);
    }

    public Task<IReadOnlyList<string>> RecentAsync(int max) =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Cohorts.AsEnumerable().Reverse().Take(Math.Max(0, max))]);
}
