namespace OrleansPathology.Grains;

/// <summary>
/// One slide of one cohort (key <c>{cohortId}/{slideId}</c>): opens the slide, gets its tissue mask,
/// cuts the tissue into tile batches and leases them to workers until every batch is assembled.
/// </summary>
[Alias("opath.ISlideGrain")]
public interface ISlideGrain : IGrainWithStringKey
{
    /// <summary>Starts (or resumes) the slide. Idempotent.</summary>
    [Alias("Start")]
    Task StartAsync(CohortSpec cohort, SlideSpec slide);

    /// <summary>
    /// Leases up to <paramref name="max"/> batches that are neither done nor leased to a live worker.
    /// A lease not completed within the lease time is handed out again (its worker is presumed lost).
    /// </summary>
    [Alias("Lease")]
    Task<IReadOnlyList<WorkItem>> LeaseAsync(string worker, int max);

    /// <summary>Accepts a batch's probabilities (at most once per batch; duplicates are ignored).</summary>
    [Alias("Complete")]
    Task CompleteAsync(WorkResult result);

    /// <summary>A worker could not compute a batch; after a few tries the slide fails with the reason.</summary>
    [Alias("Fail")]
    Task FailBatchAsync(int batchIndex, string worker, string error);

    [Alias("GetProgress")]
    Task<SlideProgress> GetProgressAsync();

    [Alias("Cancel")]
    Task CancelAsync();
}
