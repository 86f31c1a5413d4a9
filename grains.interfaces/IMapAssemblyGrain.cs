namespace OrleansPathology.Grains;

/// <summary>
/// Stitches one slide's probability map (key <c>{cohortId}/{slideId}</c>): each batch's values are
/// written into their cells exactly once and persisted, so a restart resumes without recomputing;
/// when the last batch arrives the map, heatmap and lesions CSV are written.
/// </summary>
[Alias("opath.IMapAssemblyGrain")]
public interface IMapAssemblyGrain : IGrainWithStringKey
{
    /// <summary>Prepares the map for a slide's batch plan. Idempotent.</summary>
    [Alias("Begin")]
    Task BeginAsync(string slidePath, long slideWidth, long slideHeight, int stride, int batchCount, string outputDirectory);

    /// <summary>Records a batch. Returns false when the batch was already recorded (a duplicate delivery).</summary>
    [Alias("Apply")]
    Task<bool> ApplyAsync(int batchIndex, int[] cellX, int[] cellY, float[] probabilities);

    /// <summary>Indices of the batches already recorded.</summary>
    [Alias("GetCompleted")]
    Task<int[]> GetCompletedBatchesAsync();

    /// <summary>Writes the outputs once every batch is recorded; returns the lesion count.</summary>
    [Alias("Finish")]
    Task<int> FinishAsync();
}
