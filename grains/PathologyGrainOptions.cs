using System.ComponentModel.DataAnnotations;

namespace OrleansPathology.Grains;

/// <summary>Workflow settings of the slide and cohort grains.</summary>
public sealed class PathologyGrainOptions
{
    public const string SectionName = "Pathology";

    /// <summary>Name of the grain storage provider for cohort, slide, map and dispatcher state.</summary>
    public const string StorageName = "pathology";

    /// <summary>
    /// How long a leased batch may stay unfinished before it is handed to another worker (its worker is
    /// presumed lost, e.g. its silo was killed). Default 120 s: several times a CPU dense batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Failed attempts of one batch before its slide is failed with the last error. Default 3.</summary>
    [Range(1, 100)]
    public int MaxBatchAttempts { get; set; } = 3;

    /// <summary>Folders slides may be read from; empty allows any path (single-machine default).</summary>
    public List<string> DataRoots { get; set; } = [];

    /// <summary>Dense mode: region side in cells (see InferenceOptions.RegionCells). Default 24.</summary>
    [Range(1, 256)]
    public int RegionCells { get; set; } = 24;

    /// <summary>Patch mode: patches per batch. Default 32.</summary>
    [Range(1, 4096)]
    public int PatchesPerBatch { get; set; } = 32;
}
