namespace OrleansPathology.Grains;

/// <summary>
/// One slide of one cohort (key <c>{cohortId}/{slideId}</c>): opens the slide, gets its tissue mask,
/// cuts the tissue into tile batches and leases them to workers until its map says every batch is recorded.
/// </summary>
[Alias("opath.ISlideGrain")]
public interface ISlideGrain : IGrainWithStringKey
{
    /// <summary>Starts (or resumes) the slide. Idempotent.</summary>
    [Alias("Start")]
    Task StartAsync(CohortSpec cohort, SlideSpec slide);

    /// <summary>
    /// Leases up to <paramref name="max"/> batches that are neither recorded nor leased to a live worker. A lease
    /// not recorded within the lease time is handed out again (its worker is presumed lost).
    /// </summary>
    [Alias("Lease")]
    Task<LeaseReply> LeaseAsync(string worker, int max);

    /// <summary>
    /// <paramref name="worker"/> still holds <paramref name="batchIndex"/> (queued behind another batch, or computing):
    /// its lease runs a whole lease time from now. False when the lease is no longer the worker's (it ran out and the
    /// batch went to another worker, or the batch is recorded).
    /// </summary>
    [Alias("Renew")]
    Task<bool> RenewLeaseAsync(int batchIndex, string worker);

    /// <summary>A worker could not compute a batch; after a few tries the slide fails with the reason.</summary>
    [Alias("Fail")]
    Task FailBatchAsync(int batchIndex, string worker, string error);

    /// <summary>The slide's map recorded every batch and wrote its outputs.</summary>
    [Alias("MapCompleted")]
    Task MapCompletedAsync(int lesions);

    /// <summary>The slide's map could not write its outputs.</summary>
    [Alias("MapFailed")]
    Task MapFailedAsync(string error);

    [Alias("GetProgress")]
    Task<SlideProgress> GetProgressAsync();

    [Alias("Cancel")]
    Task CancelAsync();

    /// <summary>
    /// The cohort's watchdog: the slide's progress, and when it has run without any progress for the stall timeout, it
    /// starts again whatever should be running (planning, leasing, the map's finish), so no slide waits forever.
    /// </summary>
    [Alias("Watch")]
    Task<SlideProgress> WatchAsync();
}
