using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Slides;

/// <summary>
/// Coordinates one slide: plans its tile batches (off the grain's turn), leases them to workers, takes
/// their results into the map-assembly grain, re-leases what a lost worker never returned, and reports
/// to its cohort when the map is complete or the slide has failed. Reentrant so that progress queries and
/// leases interleave with slow planning; every state write goes through one gate.
/// </summary>
[Reentrant]
public sealed partial class SlideGrain(
    [PersistentState("slide", PathologyGrainOptions.StorageName)] IPersistentState<SlideState> state,
    IOptions<PathologyGrainOptions> options,
    TimeProvider time,
    ILogger<SlideGrain> logger,
    PathologyMetrics? metrics = null) : Grain, ISlideGrain
{
    private readonly StateWriteGate _writes = new();
    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;
    private Activity? _span;
    private readonly Dictionary<int, (string Worker, DateTimeOffset Expires)> _leases = [];
    private readonly Dictionary<int, int> _attempts = [];
    private readonly HashSet<int> _done = [];
    private SlidePlan? _plan;
    private Task? _planning;
    private long _cellsDone;
    private int _cursor;
    private bool _finishing;

    private string Key => this.GetPrimaryKeyString();
    private IMapAssemblyGrain Map => GrainFactory.GetGrain<IMapAssemblyGrain>(Key);
    private IWorkDispatcherGrain Dispatcher => GrainFactory.GetGrain<IWorkDispatcherGrain>(Dispatch.WorkDispatcher.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A slide that was running when its silo (or the whole cluster) stopped resumes by itself.
        if (state.State.State == RunState.Running)
        {
            StartSpan(resumed: true);
            _planning = PlanAsync();
        }
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A span that is never stopped is never exported: a running slide's ends here and a new one starts on reactivation.
        PathologyTelemetry.StopDetached(_span, "deactivated");
        return Task.CompletedTask;
    }

    public async Task StartAsync(CohortSpec cohort, SlideSpec slide)
    {
        if (state.RecordExists && state.State.Slide is not null)
        {
            if (state.State.State == RunState.Running && _planning is null or { IsFaulted: true })
            {
                if (_span is null) StartSpan(resumed: true);
                _planning = PlanAsync();
            }
            return;
        }
        state.State.Cohort = cohort;
        state.State.Slide = slide;
        state.State.State = RunState.Running;
        await WriteAsync();
        StartSpan(resumed: false);
        _planning = PlanAsync();
    }

    public async Task<IReadOnlyList<WorkItem>> LeaseAsync(string worker, int max)
    {
        // Planning a large slide (tissue mask) can outlast a worker's call timeout: answer "no work yet" instead.
        if (_planning is { IsCompleted: false }) return [];
        // An unexpected planning failure (a storage or messaging hiccup) is retried on the next pull.
        if (_planning is { IsFaulted: true } && state.State.State == RunState.Running)
        {
            _planning = PlanAsync();
            return [];
        }
        if (!await IsPlannedAndRunningAsync() || _plan is null) return [];
        var now = time.GetUtcNow();
        var leased = new List<WorkItem>();
        var batches = _plan.Batches;
        // One pass over every batch from where the last lease left off (the cursor moves as batches are leased).
        var start = _cursor;
        for (var scanned = 0; scanned < batches.Count && leased.Count < max; scanned++)
        {
            var index = (start + scanned) % batches.Count;
            if (_done.Contains(index)) continue;
            if (_leases.TryGetValue(index, out var lease) && lease.Expires > now) continue;
            if (lease.Worker is not null)
            {
                LogLeaseExpired(Key, index, lease.Worker);
                _metrics.BatchRetried("lease_expired");
            }
            _leases[index] = (worker, now + options.Value.LeaseTimeout);
            LogLeased(Key, index, worker);
            leased.Add(WorkItems.From(Key, state.State.Cohort!, batches[index], PathologyTelemetry.TraceParentOf(_span)));
            _cursor = (index + 1) % batches.Count;
        }
        return leased;
    }

    public async Task CompleteAsync(WorkResult result)
    {
        if (!await IsPlannedAndRunningAsync() || _plan is null) return;
        var index = result.BatchIndex;
        if (index < 0 || index >= _plan.Batches.Count) return;
        LogResultReceived(Key, index, result.Worker);
        if (_done.Contains(index)) return;
        var batch = _plan.Batches[index];
        if (result.Probabilities.Length != batch.Cells.Count)
        {
            await FailBatchAsync(index, result.Worker, $"returned {result.Probabilities.Length} probabilities for {batch.Cells.Count} cells");
            return;
        }

        await Map.ApplyAsync(index, batch.Cells.Select(c => c.X).ToArray(), batch.Cells.Select(c => c.Y).ToArray(), result.Probabilities);
        if (_done.Add(index)) _cellsDone += batch.Cells.Count;
        _leases.Remove(index);
        if (_done.Count == _plan.Batches.Count) await FinishAsync();
    }

    public async Task FailBatchAsync(int batchIndex, string worker, string error)
    {
        _leases.Remove(batchIndex);
        var attempts = _attempts[batchIndex] = _attempts.GetValueOrDefault(batchIndex) + 1;
        LogBatchFailed(Key, batchIndex, worker, attempts, error);
        if (attempts >= options.Value.MaxBatchAttempts && state.State.State == RunState.Running)
            await FailAsync($"batch {batchIndex} failed {attempts} times; last error on {worker}: {error}");
        else if (state.State.State == RunState.Running)
            _metrics.BatchRetried("failed");
    }

    public Task<SlideProgress> GetProgressAsync() => Task.FromResult(Progress());

    public async Task CancelAsync()
    {
        if (state.State.State is RunState.Completed or RunState.Failed or RunState.Cancelled) return;
        state.State.State = RunState.Cancelled;
        await WriteAsync();
        PathologyTelemetry.StopDetached(_span, "cancelled");
        await Dispatcher.UnregisterSlideAsync(Key);
    }

    private SlideProgress Progress()
    {
        var s = state.State;
        // A completed slide has every batch done, whatever this activation saw: one reactivated after completion (its
        // silo, or the silo holding its directory entry, died) never replans, so its in-memory counts are empty.
        var (batchesDone, cellsDone) = s.State == RunState.Completed ? (s.BatchesTotal, s.CellsTotal) : (_done.Count, _cellsDone);
        return new SlideProgress(
            s.Slide?.SlideId ?? Key, s.State, batchesDone, s.BatchesTotal, cellsDone, s.CellsTotal, s.Error,
            s.Cohort is null ? null : OutputDirectory(s.Cohort, s.Slide!), s.Lesions);
    }

    private async Task<bool> IsPlannedAndRunningAsync()
    {
        if (_planning is { } planning)
        {
            try
            {
                await planning;
            }
            catch (Exception ex)
            {
                LogPlanningFailed(ex, Key);
                return false;
            }
        }
        return state.State.State == RunState.Running;
    }

    private async Task PlanAsync()
    {
        var cohort = state.State.Cohort!;
        var slide = state.State.Slide!;
        var job = new SlideJob(slide.Path, slide.MaskPath, new InferenceOptions
        {
            Stride = cohort.Stride,
            Mode = WorkItems.ToDomain(cohort.Mode),
            RegionCells = options.Value.RegionCells,
            PatchesPerBatch = options.Value.PatchesPerBatch,
        }, OutputDirectory(cohort, slide), slide.SlideId);

        SlidePlan plan;
        try
        {
            // Opening the slide and computing its tissue mask is pixel work: never on the grain's turn.
            var roots = new DataRoots(options.Value.DataRoots);
            plan = await Task.Run(() => SlidePlanning.Prepare(job, roots));
        }
        catch (Exception ex) when (ex is SlideException or IOException or InvalidDataException or MaskMismatchException or ArgumentException or UnauthorizedAccessException)
        {
            await FailAsync(ex.Message);
            return;
        }

        await Map.BeginAsync(plan.SlidePath, plan.Width, plan.Height, cohort.Stride, plan.Batches.Count, job.OutputDirectory);
        _done.Clear();
        _done.UnionWith(await Map.GetCompletedBatchesAsync());
        _cellsDone = _done.Sum(i => (long)plan.Batches[i].Cells.Count);
        _plan = plan;
        if (state.State.BatchesTotal != plan.Batches.Count || state.State.CellsTotal != plan.CellCount)
        {
            (state.State.BatchesTotal, state.State.CellsTotal) = (plan.Batches.Count, plan.CellCount);
            await WriteAsync();
        }
        LogPlanned(Key, plan.Batches.Count, plan.CellCount, _done.Count);

        if (_done.Count == plan.Batches.Count) await FinishAsync();
        else await Dispatcher.RegisterSlideAsync(Key);
    }

    private async Task FinishAsync()
    {
        if (_finishing) return;
        _finishing = true;
        try
        {
            state.State.Lesions = await Map.FinishAsync();
            state.State.State = RunState.Completed;
            await WriteAsync();
            _metrics.SlideCompleted();
            PathologyTelemetry.StopDetached(_span, "completed");
        }
        catch (Exception ex) when (ex is SlideException or IOException or UnauthorizedAccessException)
        {
            await FailAsync($"writing outputs: {ex.Message}");
            return;
        }
        finally
        {
            _finishing = false;
        }
        await Dispatcher.UnregisterSlideAsync(Key);
        await GrainFactory.GetGrain<ICohortGrain>(state.State.Cohort!.CohortId).SlideFinishedAsync(Progress());
    }

    private async Task FailAsync(string error)
    {
        LogSlideFailed(Key, error);
        state.State.State = RunState.Failed;
        state.State.Error = error;
        await WriteAsync();
        _metrics.SlideFailed();
        PathologyTelemetry.StopDetached(_span, "failed", error);
        await Dispatcher.UnregisterSlideAsync(Key);
        if (state.State.Cohort is { } cohort)
            await GrainFactory.GetGrain<ICohortGrain>(cohort.CohortId).SlideFinishedAsync(Progress());
    }

    private Task WriteAsync() => _writes.WriteAsync(state);

    // The slide's span is the child of its cohort's, whose context the cohort put in the request context of StartAsync.
    private void StartSpan(bool resumed)
    {
        var slide = state.State.Slide!;
        _span = PathologyTelemetry.StartDetached(PathologyTelemetry.Spans.Slide,
            PathologyTelemetry.ParentFrom(RequestContext.Get(PathologyTelemetry.CohortTraceKey) as string),
            [
                new(PathologyTelemetry.Attributes.Cohort, state.State.Cohort!.CohortId),
                new(PathologyTelemetry.Attributes.Slide, slide.SlideId),
                new(PathologyTelemetry.Attributes.SlidePath, slide.Path),
                new("opath.slide.resumed", resumed),
            ]);
    }

    internal static string OutputDirectory(CohortSpec cohort, SlideSpec slide) => Path.Combine(cohort.OutputRoot, cohort.CohortId, slide.SlideId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Slide {Slide}: {Batches} batches, {Cells} cells, {Done} already done")]
    private partial void LogPlanned(string slide, int batches, long cells, int done);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Slide {Slide}: lease of batch {Batch} held by {Worker} expired; leasing it again")]
    private partial void LogLeaseExpired(string slide, int batch, string worker);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Slide {Slide}: batch {Batch} failed on {Worker} (attempt {Attempt}): {Error}")]
    private partial void LogBatchFailed(string slide, int batch, string worker, int attempt, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Slide {Slide} failed: {Error}")]
    private partial void LogSlideFailed(string slide, string error);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Slide {Slide}: planning failed unexpectedly")]
    private partial void LogPlanningFailed(Exception exception, string slide);

    // Per batch, so Debug: with these two a log accounts for every batch a lost worker held and who took it over.
    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Slide {Slide}: batch {Batch} leased to {Worker}")]
    private partial void LogLeased(string slide, int batch, string worker);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Slide {Slide}: batch {Batch} result received from {Worker}")]
    private partial void LogResultReceived(string slide, int batch, string worker);
}
