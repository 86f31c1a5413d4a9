using System.ComponentModel.DataAnnotations;
using OrleansPathology.Inference;

namespace OrleansPathology.Grains;

/// <summary>Workflow settings of the slide and cohort grains.</summary>
public sealed class PathologyGrainOptions
{
    public const string SectionName = "Pathology";

    /// <summary>Name of the grain storage provider for cohort, slide, map and work directory state.</summary>
    public const string StorageName = "pathology";

    /// <summary>
    /// How long a lease runs without news from its worker before the batch is handed to another worker (its worker is
    /// presumed lost, e.g. its silo was killed). Workers renew the leases they hold every third of this, so it bounds
    /// how long a lost worker's batches wait, not how long a batch may take. Default 120 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long one worker may hold a batch, renewals included: past it the slide refuses the worker's renewals, and the
    /// batch is leased again when its lease runs out, so a worker whose device hangs cannot hold a slide forever.
    /// Default 30 min: many times a CPU dense batch.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxBatchTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How often a running cohort's watchdog visits its unfinished slides (and re-cancels those a cancel missed), and how
    /// often every silo calls the running cohorts (which revives one whose silo died). Default 1 min.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a running slide may show no sign of life (planned, a batch leased, failed or recorded) before the watchdog
    /// starts again what should be running. Default 5 min: longer than a lease, so a lost worker's batches expire first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed attempts of one batch before its slide is failed with the last error. Default 3.</summary>
    [Range(1, 100)]
    public int MaxBatchAttempts { get; set; } = 3;

    /// <summary>
    /// How long batch results stay in PostgreSQL (<c>opath_batch_results</c>) after they were stored; every silo deletes
    /// older rows once an hour. A map needs its rows only until its slide's outputs are written. Default 7 days; zero keeps them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan BatchResultRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Folders slides may be read from; empty allows any path (single-machine default).</summary>
    public List<string> DataRoots { get; set; } = [];

    /// <summary>
    /// Batch layout per device kind (<c>cpu</c>, <c>cuda</c>, <c>sim</c>): a cohort takes, once at submit, the layout of
    /// the fastest kind the cluster has (cuda, then sim, then cpu) and records it, so batches fit the device.
    /// Defaults: cpu 24-cell regions (a lease of seconds on a CPU) and 32 patches; cuda 64-cell regions (fewer halo pixels;
    /// computed in bands, so memory does not grow with them) and 256 patches; sim as cpu.
    /// </summary>
    public Dictionary<string, BatchLayoutOptions> Layouts { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cpu"] = new BatchLayoutOptions { RegionCells = 24, PatchesPerBatch = 32 },
        ["cuda"] = new BatchLayoutOptions { RegionCells = 64, PatchesPerBatch = 256 },
        ["sim"] = new BatchLayoutOptions { RegionCells = 24, PatchesPerBatch = 32 },
    };

    /// <summary>How long the first result of a group waits for others before the group is stored. Default 2 ms.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan ResultGroupDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Batch results stored in one database round trip at most. Default 512.</summary>
    [Range(1, 10000)]
    public int ResultGroupSize { get; set; } = 512;

    /// <summary>Attempts to store a group (backoff 0.1 s, doubling) before its results fail. Default 5: about 3 s.</summary>
    [Range(1, 20)]
    public int ResultStoreAttempts { get; set; } = 5;

    /// <summary>The layout for <paramref name="kind"/> (the cpu layout when that kind has none configured).</summary>
    public BatchLayout LayoutFor(DeviceKind kind)
    {
        var options = Layouts.GetValueOrDefault(DeviceName.KindName(kind)) ?? Layouts.GetValueOrDefault("cpu") ?? new BatchLayoutOptions();
        return new BatchLayout(options.RegionCells, options.PatchesPerBatch, options.ContextMargin);
    }
}

/// <summary>What batch N holds on one device kind (see <see cref="PathologyGrainOptions.Layouts"/>).</summary>
public sealed class BatchLayoutOptions
{
    /// <summary>Dense mode: region side in cells (InferenceOptions.RegionCells). Default 24.</summary>
    [Range(1, 256)]
    public int RegionCells { get; set; } = 24;

    /// <summary>Patch mode: patches per batch. Default 32.</summary>
    [Range(1, 4096)]
    public int PatchesPerBatch { get; set; } = 32;

    /// <summary>Dense mode: level-0 pixels of real context around each region, a multiple of 32 (InferenceOptions.ContextMargin). Default 96.</summary>
    [Range(0, 1024)]
    public int ContextMargin { get; set; } = DenseGeometry.DefaultContextMargin;
}
