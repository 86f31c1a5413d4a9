namespace OrleansPathology.Grains;

/// <summary>
/// Stitches one slide's probability map (key <c>{cohortId}/{slideId}</c>) and owns its "done": workers send
/// results straight here, each batch is stored exactly once (in groups, one database round trip for many), and
/// when the countdown of batches reaches zero the outputs are written and the slide and cohort are told.
/// </summary>
[Alias("opath.IMapAssemblyGrain")]
public interface IMapAssemblyGrain : IGrainWithStringKey
{
    /// <summary>Prepares the map for a slide's batch plan. Idempotent.</summary>
    [Alias("Begin")]
    Task BeginAsync(MapPlan plan);

    /// <summary>
    /// Records a batch's result. Returns once it is durable: true when recorded now, false when the batch was
    /// already recorded (a duplicate delivery).
    /// </summary>
    [Alias("Record")]
    Task<bool> RecordAsync(WorkResult result);

    /// <summary>Which of <paramref name="batches"/> are recorded (a slide asks before leasing an expired lease again).</summary>
    [Alias("WhichRecorded")]
    Task<int[]> WhichRecordedAsync(int[] batches);

    /// <summary>Indices of the batches already recorded.</summary>
    [Alias("GetCompleted")]
    Task<int[]> GetCompletedBatchesAsync();

    /// <summary>Batches and cells recorded so far.</summary>
    [Alias("GetProgress")]
    Task<MapProgress> GetProgressAsync();
}
