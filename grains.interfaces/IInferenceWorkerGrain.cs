namespace OrleansPathology.Grains;

/// <summary>
/// One inference worker per (silo, device), key <c>{siloName}/{device}</c>, placed on that silo by
/// <see cref="DevicePinnedPlacementAttribute"/>. It keeps its model loaded, pulls work while it has
/// capacity, and runs tensor work off the grain's turn.
/// </summary>
[Alias("opath.IInferenceWorkerGrain")]
public interface IInferenceWorkerGrain : IGrainWithStringKey
{
    /// <summary>Starts pulling work (idempotent); called on each silo at start-up for each of its devices.</summary>
    [Alias("Start")]
    Task StartAsync();

    [Alias("GetStatus")]
    Task<WorkerStatus> GetStatusAsync();

    /// <summary>Stops pulling and waits for batches in flight (graceful shutdown drains).</summary>
    [Alias("Drain")]
    Task DrainAsync();
}
