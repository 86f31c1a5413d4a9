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

/// <summary>A cohort as submitted: slides, the model, the map grid and where outputs go.</summary>
[GenerateSerializer, Immutable, Alias("opath.CohortSpec")]
public sealed record CohortSpec(
    [property: Id(0)] string CohortId,
    [property: Id(1)] IReadOnlyList<SlideSpec> Slides,
    [property: Id(2)] string WeightsPath,
    [property: Id(3)] string OutputRoot,
    [property: Id(4)] int Stride = 64,
    [property: Id(5)] ScoringMode Mode = ScoringMode.Dense,
    [property: Id(6)] string Precision = "fp32");

/// <summary>Where a slide or cohort stands.</summary>
[GenerateSerializer]
public enum RunState
{
    Pending = 0,
    Running = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
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
    [property: Id(14)] string? TraceParent = null);

/// <summary>What a worker hands back for a work item.</summary>
[GenerateSerializer, Immutable, Alias("opath.WorkResult")]
public sealed record WorkResult(
    [property: Id(0)] string SlideKey,
    [property: Id(1)] int BatchIndex,
    [property: Id(2)] float[] Probabilities,
    [property: Id(3)] string Worker,
    [property: Id(4)] double ReadSeconds,
    [property: Id(5)] double ComputeSeconds);

/// <summary>A worker's view of itself, for status and tests.</summary>
[GenerateSerializer, Immutable, Alias("opath.WorkerStatus")]
public sealed record WorkerStatus(
    [property: Id(0)] string Worker,
    [property: Id(1)] string Silo,
    [property: Id(2)] string Device,
    [property: Id(3)] int InFlight,
    [property: Id(4)] long BatchesDone,
    [property: Id(5)] long CellsDone,
    [property: Id(6)] string? LoadedWeights);
