namespace OrleansPathology.Grains;

/// <summary>
/// The cluster's work queue (a single activation, key <c>default</c>): workers pull from it when they
/// have free capacity, so a fast node takes more batches than a slow one and no node holds more than it
/// can start soon. It knows which slides have work and asks them for leases in turn.
/// </summary>
[Alias("opath.IWorkDispatcherGrain")]
public interface IWorkDispatcherGrain : IGrainWithStringKey
{
    [Alias("Register")]
    Task RegisterSlideAsync(string slideKey);

    [Alias("Unregister")]
    Task UnregisterSlideAsync(string slideKey);

    /// <summary>Up to <paramref name="max"/> work items for <paramref name="worker"/>, or none when there is no work.</summary>
    [Alias("Next")]
    Task<IReadOnlyList<WorkItem>> NextAsync(string worker, int max);
}
