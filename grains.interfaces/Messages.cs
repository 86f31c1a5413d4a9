namespace OrleansPathology.Grains;

/// <summary>How cells are computed (mirrors the domain's InferenceMode on the wire).</summary>
[GenerateSerializer]
public enum ScoringMode
{
    Dense = 0,
    Patch = 1,
}

/// <summary>One slide of a cohort: an id unique within the cohort, its file on shared storage, an optional precomputed tissue mask.</summary>
[GenerateSerializer, Immutable, Alias("opath.SlideSpec")]
public sealed record SlideSpec(
    [property: Id(0)] string SlideId,
    [property: Id(1)] string Path,
    [property: Id(2)] string? MaskPath = null);

/// <summary>
/// What batch N of a slide holds, besides the stride and mode: dense region side in cells, the level-0 pixels of real
/// context read around each dense region (96 by default, as InferenceOptions), and patches per patch-mode batch.
/// Decided once per cohort (from the device kind the cluster scores on) and recorded with it, so silos with different
/// settings never disagree.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.BatchLayout")]
public sealed record BatchLayout(
    [property: Id(0)] int RegionCells,
    [property: Id(1)] int PatchesPerBatch,
    [property: Id(2)] int ContextMargin = 96);

/// <summary>
/// A cohort as submitted: slides, the model, the map grid and where outputs go. <see cref="Layout"/> is null when
/// submitted (the cohort chooses it) unless the submitter fixes it. <see cref="WeightsDigest"/> is set by the cohort:
/// the SHA-256 of the weights it pinned at submit (a copy under <c>OutputRoot/.weights/</c>), which every batch uses.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.CohortSpec")]
public sealed record CohortSpec(
    [property: Id(0)] string CohortId,
    [property: Id(1)] IReadOnlyList<SlideSpec> Slides,
    [property: Id(2)] string WeightsPath,
    [property: Id(3)] string OutputRoot,
    [property: Id(4)] int Stride = 64,
    [property: Id(5)] ScoringMode Mode = ScoringMode.Dense,
    [property: Id(6)] string Precision = "fp32",
    [property: Id(7)] BatchLayout? Layout = null,
    [property: Id(8)] string Tissue = "robust",
    [property: Id(9)] string? WeightsDigest = null);

/// <summary>Where a slide or cohort stands.</summary>
[GenerateSerializer]
public enum RunState
{
    Pending = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
    /// <summary>A cohort's end when some slides completed and others failed (a slide never ends so).</summary>
    CompletedWithFailures = 5,
}

/// <summary>Progress of one slide.</summary>
[GenerateSerializer, Immutable, Alias("opath.SlideProgress")]
public sealed record SlideProgress(
    [property: Id(0)] string SlideId,
    [property: Id(1)] RunState State,
    [property: Id(2)] int BatchesDone,
    [property: Id(3)] int BatchesTotal,
    [property: Id(4)] long CellsDone,
    [property: Id(5)] long CellsTotal,
    [property: Id(6)] string? Error = null,
    [property: Id(7)] string? OutputDirectory = null,
    [property: Id(8)] int Lesions = 0);

/// <summary>A cohort's status: overall state and every slide's progress.</summary>
[GenerateSerializer, Immutable, Alias("opath.CohortStatus")]
public sealed record CohortStatus(
    [property: Id(0)] string CohortId,
    [property: Id(1)] RunState State,
    [property: Id(2)] IReadOnlyList<SlideProgress> Slides,
    [property: Id(3)] DateTimeOffset SubmittedAt,
    [property: Id(4)] DateTimeOffset? FinishedAt);

/// <summary>
/// A leased unit of work: a tile batch by coordinates only (never pixels), so the worker's node reads
/// the pixels from shared storage itself. Cells are parallel arrays to keep the message compact.
/// <see cref="TraceParent"/> is the W3C trace context of the slide's span, so the batch's span is its child.
/// <see cref="LeaseTime"/> is how long the lease runs unless the worker renews it (zero: never renewed).
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.WorkItem")]
public sealed record WorkItem(
    [property: Id(0)] string SlideKey,
    [property: Id(1)] string SlidePath,
    [property: Id(2)] string WeightsPath,
    [property: Id(3)] string Precision,
    [property: Id(4)] int BatchIndex,
    [property: Id(5)] ScoringMode Mode,
    [property: Id(6)] int Stride,
    [property: Id(7)] int PatchSize,
    [property: Id(8)] int[] CellX,
    [property: Id(9)] int[] CellY,
    [property: Id(10)] int RegionX,
    [property: Id(11)] int RegionY,
    [property: Id(12)] int RegionWidth,
    [property: Id(13)] int RegionHeight,
    [property: Id(14)] string? TraceParent = null,
    [property: Id(15)] int ContextMargin = 96,
    [property: Id(16)] string? WeightsDigest = null,
    [property: Id(17)] TimeSpan LeaseTime = default);

/// <summary>What a worker hands to the slide's map for a work item: the item's cells come back with their probabilities.</summary>
[GenerateSerializer, Immutable, Alias("opath.WorkResult")]
public sealed record WorkResult(
    [property: Id(0)] string SlideKey,
    [property: Id(1)] int BatchIndex,
    [property: Id(2)] float[] Probabilities,
    [property: Id(3)] string Worker,
    [property: Id(4)] double ReadSeconds,
    [property: Id(5)] double ComputeSeconds,
    [property: Id(6)] int[] CellX,
    [property: Id(7)] int[] CellY);

/// <summary>
/// A slide's answer to a lease request: the leased items, and when nothing could be leased, how long the asking
/// silo should leave this slide alone (every batch is leased or recorded; the earliest lease may expire then).
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.LeaseReply")]
public sealed record LeaseReply(
    [property: Id(0)] IReadOnlyList<WorkItem> Items,
    [property: Id(1)] TimeSpan RetryAfter)
{
    public static LeaseReply Nothing(TimeSpan retryAfter) => new([], retryAfter);
}

/// <summary>A slide's map: its geometry, how many batches and cells to count down, where outputs go and whom to tell.</summary>
[GenerateSerializer, Immutable, Alias("opath.MapPlan")]
public sealed record MapPlan(
    [property: Id(0)] string CohortId,
    [property: Id(1)] string SlideId,
    [property: Id(2)] string SlidePath,
    [property: Id(3)] long SlideWidth,
    [property: Id(4)] long SlideHeight,
    [property: Id(5)] int Stride,
    [property: Id(6)] int BatchCount,
    [property: Id(7)] long CellCount,
    [property: Id(8)] string OutputDirectory);

/// <summary>Batches and cells a map has recorded.</summary>
[GenerateSerializer, Immutable, Alias("opath.MapProgress")]
public sealed record MapProgress(
    [property: Id(0)] int BatchesDone,
    [property: Id(1)] long CellsDone);

/// <summary>
/// A worker's view of itself, for status and tests: batches in flight, batches and cells done, the weights it holds,
/// its device's busy seconds, cells per second over the last minute, its last error and whether it pulls work.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.WorkerStatus")]
public sealed record WorkerStatus(
    [property: Id(0)] string Worker,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Device,
    [property: Id(3)] int InFlight,
    [property: Id(4)] long BatchesDone,
    [property: Id(5)] long CellsDone,
    [property: Id(6)] string? LoadedWeights,
    [property: Id(7)] double BusySeconds = 0,
    [property: Id(8)] double CellsPerSecond = 0,
    [property: Id(9)] string? LastError = null,
    [property: Id(10)] bool Pulling = false);
