namespace OrleansPathology.Grains;

/// <summary>One silo as membership and its metadata say: Orleans' name and address, status, start, and what it runs.</summary>
[GenerateSerializer, Immutable, Alias("opath.SiloView")]
public sealed record SiloView(
    [property: Id(0)] string Name,
    [property: Id(1)] string Address,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset StartedAt,
    [property: Id(4)] double UptimeSeconds,
    [property: Id(5)] IReadOnlyList<string> Devices,
    [property: Id(6)] string? Host = null);

/// <summary>
/// The work waiting: over the slides listed in the work directory (planned and running), the batches and cells not yet
/// recorded (queued or in flight), and how many slides that is.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.PendingWork")]
public sealed record PendingWork(
    [property: Id(0)] long Cells,
    [property: Id(1)] long Batches,
    [property: Id(2)] int Slides);

/// <summary>A cohort in a line: its state, slides by outcome, and cells and batches done of the planned totals.</summary>
[GenerateSerializer, Immutable, Alias("opath.CohortSummary")]
public sealed record CohortSummary(
    [property: Id(0)] string CohortId,
    [property: Id(1)] RunState State,
    [property: Id(2)] DateTimeOffset SubmittedAt,
    [property: Id(3)] DateTimeOffset? FinishedAt,
    [property: Id(4)] int Slides,
    [property: Id(5)] int SlidesCompleted,
    [property: Id(6)] int SlidesFailed,
    [property: Id(7)] int SlidesRunning,
    [property: Id(8)] long CellsDone,
    [property: Id(9)] long CellsTotal,
    [property: Id(10)] int BatchesDone,
    [property: Id(11)] int BatchesTotal)
{
    /// <summary>Cells done of the cells planned, 0..1 (0 while nothing is planned).</summary>
    public double Progress => CellsTotal <= 0 ? (State == RunState.Completed ? 1 : 0) : Math.Min(1, (double)CellsDone / CellsTotal);

    /// <summary>The summary of <paramref name="status"/>.</summary>
    public static CohortSummary Of(CohortStatus status) => new(
        status.CohortId, status.State, status.SubmittedAt, status.FinishedAt, status.Slides.Count,
        status.Slides.Count(s => s.State == RunState.Completed), status.Slides.Count(s => s.State == RunState.Failed),
        status.Slides.Count(s => s.State is RunState.Running or RunState.Pending),
        status.Slides.Sum(s => s.CellsDone), status.Slides.Sum(s => s.CellsTotal),
        status.Slides.Sum(s => s.BatchesDone), status.Slides.Sum(s => s.BatchesTotal));
}

/// <summary>A training run in a line: state, epoch and step, the latest loss and validation accuracy.</summary>
[GenerateSerializer, Immutable, Alias("opath.TrainingSummary")]
public sealed record TrainingSummary(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunState State,
    [property: Id(2)] int Epoch,
    [property: Id(3)] int Epochs,
    [property: Id(4)] int Step,
    [property: Id(5)] int StepsPerEpoch,
    [property: Id(6)] double? LastLoss,
    [property: Id(7)] double? ValidationAccuracy,
    [property: Id(8)] double PatchesPerSecond,
    [property: Id(9)] int Trainers,
    [property: Id(10)] string? Error)
{
    /// <summary>The summary of <paramref name="status"/>.</summary>
    public static TrainingSummary Of(TrainingStatus status) => new(
        status.RunId, status.State, status.Epoch, status.Epochs, status.Step, status.StepsPerEpoch, status.LastLoss,
        status.History.LastOrDefault(e => e.ValidationAccuracy is not null)?.ValidationAccuracy, status.PatchesPerSecond,
        status.Trainers.Count, status.Error);
}

/// <summary>
/// What the cluster is doing at <see cref="At"/>: its silos and each device's worker, the active cohorts and the recent
/// ones, the training runs, and the work waiting. <see cref="Unreachable"/> names what did not answer in time.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.ClusterOverview")]
public sealed record ClusterOverview(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] IReadOnlyList<SiloView> Silos,
    [property: Id(2)] IReadOnlyList<WorkerStatus> Workers,
    [property: Id(3)] IReadOnlyList<CohortSummary> Cohorts,
    [property: Id(4)] IReadOnlyList<TrainingSummary> Training,
    [property: Id(5)] PendingWork Pending,
    [property: Id(6)] IReadOnlyList<string> Unreachable)
{
    /// <summary>The cohorts still running.</summary>
    public IReadOnlyList<CohortSummary> ActiveCohorts => Cohorts.Where(c => c.State is RunState.Running or RunState.Pending).ToList();
}
