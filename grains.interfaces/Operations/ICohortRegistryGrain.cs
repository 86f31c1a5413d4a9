namespace OrleansPathology.Grains;

/// <summary>
/// The cluster's list of cohorts (one activation, key <c>default</c>, its list in grain storage): cohorts register when
/// first submitted, so that operators can list them (<c>opath cohorts</c>, <c>GET /api/v1/cohorts</c>). Each cohort's
/// state stays in its own grain; this list holds only ids, newest last, and forgets the oldest beyond a bound. It also
/// keeps the cohorts that have not ended, so that a cohort whose silo died is called, and so watches its slides again.
/// </summary>
[Alias("opath.ICohortRegistryGrain")]
public interface ICohortRegistryGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="cohortId"/> as submitted at <paramref name="submittedAt"/> (idempotent).</summary>
    [Alias("Register")]
    Task RegisterAsync(string cohortId, DateTimeOffset submittedAt);

    /// <summary>Records that <paramref name="cohortId"/> ended: revival passes stop calling it (idempotent).</summary>
    [Alias("Ended")]
    Task EndedAsync(string cohortId);

    /// <summary>The cohorts submitted and not yet recorded as ended, which every silo's revival pass calls.</summary>
    [Alias("Running")]
    Task<IReadOnlyList<string>> RunningAsync();

    /// <summary>The ids of the <paramref name="max"/> most recently submitted cohorts, newest first.</summary>
    [Alias("Recent")]
    Task<IReadOnlyList<string>> RecentAsync(int max);
}

/// <summary>The cohort registry's one key.</summary>
public static class CohortRegistry
{
    public const string Key = "default";
}
