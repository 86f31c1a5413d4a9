namespace OrleansPathology.Grains.Slides;

/// <summary>What a slide grain persists. Batches are not stored: planning is deterministic and done batches live in the map's store.</summary>
[GenerateSerializer, Alias("opath.SlideState")]
public sealed class SlideState
{
    [Id(0)] public CohortSpec? Cohort { get; set; }
    [Id(1)] public SlideSpec? Slide { get; set; }
    [Id(2)] public RunState State { get; set; }
    [Id(3)] public string? Error { get; set; }
    [Id(4)] public int BatchesTotal { get; set; }
    [Id(5)] public long CellsTotal { get; set; }
    [Id(6)] public int Lesions { get; set; }

    /// <summary>
    /// The leases an activation held when it was deactivated (its silo shutting down, or the silo that kept its directory
    /// entry): the next activation honours them instead of leasing those batches again while their workers still compute.
    /// </summary>
    [Id(7)] public List<HandedOverLease> Leases { get; set; } = [];
}

/// <summary>A lease passed from one activation of a slide to the next: the batch, its worker and when the lease runs out.</summary>
[GenerateSerializer, Immutable, Alias("opath.HandedOverLease")]
public sealed record HandedOverLease(
    [property: Id(0)] int Batch,
    [property: Id(1)] string Worker,
    [property: Id(2)] DateTimeOffset Expires);
