namespace OrleansPathology.Grains;

/// <summary>
/// What the cluster is doing, gathered from the grains that know (membership through Orleans' management grain, each
/// device's inference worker, the cohort and training registries, the work directory's slides). Stateless: any silo
/// answers; it keeps nothing and gathers afresh on every call. The source of <c>opath cluster status</c>, the HTTP
/// API's <c>/cluster</c> and the scaling gauges.
/// </summary>
[Alias("opath.IClusterOverviewGrain")]
public interface IClusterOverviewGrain : IGrainWithIntegerKey
{
    /// <summary>Silos, workers, recent cohorts with their progress, training runs and the work waiting.</summary>
    [Alias("GetOverview")]
    Task<ClusterOverview> GetOverviewAsync();

    /// <summary>The <paramref name="max"/> most recent cohorts, newest first, with state and progress.</summary>
    [Alias("ListCohorts")]
    Task<IReadOnlyList<CohortSummary>> ListCohortsAsync(int max);

    /// <summary>Training runs: those running and the most recently ended, newest first.</summary>
    [Alias("ListTraining")]
    Task<IReadOnlyList<TrainingSummary>> ListTrainingAsync();

    /// <summary>The work waiting cluster-wide: cells and batches of planned, running slides not yet recorded.</summary>
    [Alias("GetPendingWork")]
    Task<PendingWork> GetPendingWorkAsync();
}

/// <summary>The overview's one key (the grain is stateless; any key would do).</summary>
public static class ClusterOverviewKey
{
    public const long Key = 0;
}
