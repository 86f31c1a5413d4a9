namespace OrleansPathology.Grains;

/// <summary>
/// Which slides have work (one activation, key <c>default</c>). Off the per-batch path: each silo reads it
/// about once a second and caches the list for all its workers, which then lease straight from the slides.
/// </summary>
[Alias("opath.IWorkDirectoryGrain")]
public interface IWorkDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Lists a slide that has batches to lease. Idempotent.</summary>
    [Alias("Add")]
    Task AddSlideAsync(string slideKey);

    /// <summary>Takes a slide off the list (finished, failed or cancelled). Idempotent.</summary>
    [Alias("Remove")]
    Task RemoveSlideAsync(string slideKey);

    /// <summary>The slides with work now.</summary>
    [Alias("GetSlides")]
    Task<string[]> GetSlidesAsync();
}
