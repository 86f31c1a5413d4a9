using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Slides;

/// <summary>
/// Coordinates one slide: plans its tile batches (off the grain's turn), lists itself in the work directory,
/// leases batches to the workers that ask, and leases again what a lost worker never got recorded. Results go from
/// workers straight to the slide's map, which tells this grain when every batch is recorded. Reentrant so that
/// progress queries and leases interleave with slow planning; every state write goes through one gate.
/// </summary>
[Reentrant]
public sealed partial class SlideGrain(
    [PersistentState("slide", PathologyGrainOptions.StorageName)] IPersistentState<SlideState> state,
    IOptions<PathologyGrainOptions> options,
    TimeProvider system,
    ILogger<SlideGrain> logger,
    PathologyMetrics? metrics = null,
    LeaseClock? clock = null) : Grain, ISlideGrain
{
    private readonly TimeProvider _leaseTime = (clock ?? LeaseClock.System).Time;
    private readonly StateWriteGate _writes = new();
    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;
    private Activity? _span;
    // Batches to hand out: never leased yet, or given back (failed, or leased to a worker presumed lost).
    private readonly Queue<int> _toLease = new();
    // Leases in the order they were granted or renewed; with one lease time, also the order in which they expire. A
    // renewed lease has a later entry too: an entry is current only while it carries the lease's expiry in _leased.
    private readonly Queue<(int Batch, long Lease, DateTimeOffset Expires)> _leaseOrder = new();
    private readonly Dictionary<int, (long Lease, string Worker, DateTimeOffset Granted, DateTimeOffset Expires)> _leased = [];
    private readonly Dictionary<int, int> _attempts = [];
    private SlidePlan? _plan;
    private Task? _planning;
    private readonly PixelWork _pixelWork = new();
    private long _nextLease;
    // The last sign of life (planned, a lease granted, a batch failed or recorded), for the watchdog's stall check.
    private DateTimeOffset _progressAt;
    private int _batchesSeen;
    // An end being written: others already see the slide as ended (no lease, no second end), but its progress reads
    // Running until the end is durable, so a cohort never records an end that a failed write then takes back.
    private bool _ending;

    private string Key => this.GetPrimaryKeyString();
    private IMapAssemblyGrain Map => GrainFactory.GetGrain<IMapAssemblyGrain>(Key);
    private IWorkDirectoryGrain Directory => GrainFactory.GetGrain<IWorkDirectoryGrain>(Work.WorkDirectory.Key);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A slide that was running when its silo (or the whole cluster) stopped resumes by itself.
        _progressAt = system.GetUtcNow();
        if (state.State.State == RunState.Running)
        {
            StartSpan(resumed: true);
            _planning = PlanUntilDoneAsync();
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A span that is never stopped is never exported: a running slide's ends here and a new one starts on reactivation.
        PathologyTelemetry.StopDetached(_span, "deactivated");
        await HandOverLeasesAsync(reason);
        await _pixelWork.WaitAsync(cancellationToken); // a tissue mask being computed: OpenSlide must not be torn down under it
    }

    public async Task StartAsync(CohortSpec cohort, SlideSpec slide)
    {
        if (state.RecordExists && state.State.Slide is not null)
        {
            if (state.State.State == RunState.Running && _planning is null or { IsFaulted: true })
            {
                if (_span is null) StartSpan(resumed: true);
                _planning = PlanUntilDoneAsync();
            }
            return;
        }
        state.State.Cohort = cohort;
        state.State.Slide = slide;
        state.State.State = RunState.Running;
        await WriteAsync();
        StartSpan(resumed: false);
        _planning = PlanUntilDoneAsync();
    }

    public async Task<LeaseReply> LeaseAsync(string worker, int max)
    {
        var wait = options.Value.LeaseTimeout;
        // Planning a large slide (tissue mask) can outlast a worker's call timeout: answer "no work yet" instead.
        if (_planning is { IsCompleted: false }) return LeaseReply.Nothing(TimeSpan.FromSeconds(1));
        // An unexpected planning failure (a storage or messaging hiccup) is retried on the next pull.
        if (_planning is { IsFaulted: true } && state.State.State == RunState.Running)
        {
            _planning = PlanUntilDoneAsync();
            return LeaseReply.Nothing(TimeSpan.FromSeconds(1));
        }
        if (!await IsPlannedAndRunningAsync() || _plan is null)
        {
            // An ended slide still asked for work was not taken off the directory (a storage hiccup): take it off now.
            if (state.State.State is RunState.Completed or RunState.Failed or RunState.Cancelled) await Directory.RemoveSlideAsync(Key);
            return LeaseReply.Nothing(wait);
        }

        await ReclaimExpiredLeasesAsync();
        if (_toLease.Count == 0 && _leased.Count == 0)
        {
            // Every batch is recorded, yet this slide still runs: the map's word was lost (its silo died, or a state write
            // failed). Beginning the map again with the same plan makes it finish or tell its outcome again.
            await Map.BeginAsync(MapPlanOf(_plan));
            return LeaseReply.Nothing(wait);
        }
        var now = _leaseTime.GetUtcNow();
        var leased = new List<WorkItem>();
        while (leased.Count < max && _toLease.TryDequeue(out var index))
        {
            if (_leased.ContainsKey(index)) continue; // queued twice (failed and expired): already handed out again
            var lease = ++_nextLease;
            var expires = now + options.Value.LeaseTimeout;
            _leased[index] = (lease, worker, now, expires);
            _leaseOrder.Enqueue((index, lease, expires));
            LogLeased(Key, index, worker);
            leased.Add(WorkItems.From(Key, state.State.Cohort!, _plan.Batches[index], PathologyTelemetry.TraceParentOf(_span),
                options.Value.LeaseTimeout));
        }
        if (leased.Count > 0)
        {
            _progressAt = system.GetUtcNow();
            return new LeaseReply(leased, TimeSpan.Zero);
        }
        // Everything is leased or recorded: come back when the oldest lease may have run out.
        var retry = _leaseOrder.TryPeek(out var oldest) ? oldest.Expires - now : wait;
        return LeaseReply.Nothing(retry < TimeSpan.Zero ? TimeSpan.Zero : retry);
    }

    public Task<bool> RenewLeaseAsync(int batchIndex, string worker)
    {
        if (!_leased.TryGetValue(batchIndex, out var current) || current.Worker != worker) return Task.FromResult(false);
        var now = _leaseTime.GetUtcNow();
        if (now - current.Granted >= options.Value.MaxBatchTime)
        {
            // A worker that has held a batch this long is stuck (a hung device): let the lease run out.
            LogHeldTooLong(Key, batchIndex, worker, options.Value.MaxBatchTime);
            return Task.FromResult(false);
        }
        var expires = now + options.Value.LeaseTimeout;
        _leased[batchIndex] = current with { Expires = expires };
        _leaseOrder.Enqueue((batchIndex, current.Lease, expires));
        return Task.FromResult(true);
    }

    public async Task FailBatchAsync(int batchIndex, string worker, string error)
    {
        if (!_leased.Remove(batchIndex)) return;
        _progressAt = system.GetUtcNow();
        var attempts = _attempts[batchIndex] = _attempts.GetValueOrDefault(batchIndex) + 1;
        LogBatchFailed(Key, batchIndex, worker, attempts, error);
        if (attempts >= options.Value.MaxBatchAttempts && state.State.State == RunState.Running)
        {
            await FailAsync($"batch {batchIndex} failed {attempts} times; last error on {worker}: {error}");
        }
        else if (state.State.State == RunState.Running)
        {
            _metrics.BatchRetried("failed");
            _toLease.Enqueue(batchIndex);
        }
    }

    public async Task MapCompletedAsync(int lesions)
    {
        if (state.State.State != RunState.Running) return;
        await EndAsync(RunState.Completed, error: null, lesions);
        _metrics.SlideCompleted();
        PathologyTelemetry.StopDetached(_span, "completed");
        await AfterEndAsync();
    }

    public async Task MapFailedAsync(string error)
    {
        if (state.State.State == RunState.Running) await FailAsync($"writing outputs: {error}");
    }

    public Task<SlideProgress> GetProgressAsync() => ProgressAsync();

    public async Task CancelAsync()
    {
        if (state.State.State is RunState.Completed or RunState.Failed or RunState.Cancelled) return;
        await EndAsync(RunState.Cancelled, error: null, lesions: 0);
        PathologyTelemetry.StopDetached(_span, "cancelled");
        _toLease.Clear();
        await Directory.RemoveSlideAsync(Key);
    }

    public async Task<SlideProgress> WatchAsync()
    {
        var progress = await ProgressAsync();
        if (state.State.State != RunState.Running) return progress;
        var now = system.GetUtcNow();
        if (progress.BatchesDone != _batchesSeen) (_batchesSeen, _progressAt) = (progress.BatchesDone, now);
        if (now - _progressAt < options.Value.StallTimeout) return progress;

        // No sign of life for a stall timeout: whatever was lost (a planning fault, a message, a state write, a directory
        // entry), each step below is idempotent and starts again what should be running.
        _progressAt = now;
        if (_planning is null or { IsFaulted: true })
        {
            LogStalled(Key, "planning again");
            _planning = PlanUntilDoneAsync();
            return progress;
        }
        if (!_planning.IsCompleted || _plan is not { } plan) return progress;
        await ReclaimExpiredLeasesAsync();
        var recorded = (await Map.GetCompletedBatchesAsync()).ToHashSet();
        var queued = _toLease.ToHashSet();
        for (var i = 0; i < plan.Batches.Count; i++)
            if (!recorded.Contains(i) && !_leased.ContainsKey(i) && !queued.Contains(i)) _toLease.Enqueue(i);
        if (recorded.Count == plan.Batches.Count)
        {
            // Every batch is recorded: the map finishes now, or tells this slide its outcome again.
            LogStalled(Key, "asking the map to finish");
            await Map.BeginAsync(MapPlanOf(plan));
        }
        else
        {
            LogStalled(Key, $"{plan.Batches.Count - recorded.Count} batch(es) unrecorded, {_toLease.Count} to lease; listing it for workers again");
            await Directory.AddSlideAsync(Key);
        }
        return progress;
    }

    // Leases past their time go back to the queue, unless the map recorded them meanwhile (one call for all of them).
    private async Task ReclaimExpiredLeasesAsync()
    {
        var now = _leaseTime.GetUtcNow();
        var expired = new List<(int Batch, string Worker)>();
        while (_leaseOrder.TryPeek(out var head) && head.Expires <= now)
        {
            _leaseOrder.Dequeue();
            if (_leased.TryGetValue(head.Batch, out var current) && current.Lease == head.Lease && current.Expires <= now)
            {
                _leased.Remove(head.Batch);
                expired.Add((head.Batch, current.Worker));
            }
        }
        if (expired.Count == 0) return;
        HashSet<int> recorded;
        try
        {
            recorded = (await Map.WhichRecordedAsync([.. expired.Select(e => e.Batch)])).ToHashSet();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The map cannot say now (its silo dying): lease them all again. A batch computed twice is stored once.
            LogProgressFailed(ex, Key);
            recorded = [];
        }
        foreach (var (batch, worker) in expired.Where(e => !recorded.Contains(e.Batch)))
        {
            LogLeaseExpired(Key, batch, worker);
            _metrics.BatchRetried("lease_expired");
            _toLease.Enqueue(batch);
        }
    }

    private async Task<SlideProgress> ProgressAsync()
    {
        var s = state.State;
        // A completed slide has every batch done; a running one asks its map, which owns the count.
        var shown = _ending ? RunState.Running : s.State;
        var (batchesDone, cellsDone) = shown switch
        {
            RunState.Completed => (s.BatchesTotal, s.CellsTotal),
            RunState.Running when _plan is not null => await CountAsync(),
            _ => (0, 0L),
        };
        return new SlideProgress(
            s.Slide?.SlideId ?? Key, shown, batchesDone, s.BatchesTotal, cellsDone, s.CellsTotal, _ending ? null : s.Error,
            s.Cohort is null ? null : OutputDirectory(s.Cohort, s.Slide!), s.Lesions);
    }

    private async Task<(int, long)> CountAsync()
    {
        try
        {
            var progress = await Map.GetProgressAsync();
            return (progress.BatchesDone, progress.CellsDone);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Progress is advisory: a map that cannot answer now (its silo dying) shows as no progress.
            LogProgressFailed(ex, Key);
            return (0, 0);
        }
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

    // A slide is listed in the work directory only once planned, so no worker's lease would retry a failed planning:
    // an unexpected failure (storage or messaging) is retried here, with backoff, while the slide runs.
    private async Task PlanUntilDoneAsync()
    {
        for (var wait = TimeSpan.FromSeconds(1); ; wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                await PlanAsync();
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPlanningFailed(ex, Key);
                if (state.State.State != RunState.Running) return;
            }
            await Task.Delay(wait, system);
            if (state.State.State != RunState.Running) return;
        }
    }

    private async Task PlanAsync()
    {
        var cohort = state.State.Cohort!;
        var slide = state.State.Slide!;
        var layout = cohort.Layout ?? options.Value.LayoutFor(Inference.DeviceKind.Cpu);
        var job = new SlideJob(slide.Path, slide.MaskPath, new InferenceOptions
        {
            Stride = cohort.Stride,
            Mode = WorkItems.ToDomain(cohort.Mode),
            RegionCells = layout.RegionCells,
            PatchesPerBatch = layout.PatchesPerBatch,
            ContextMargin = layout.ContextMargin,
        }, OutputDirectory(cohort, slide), slide.SlideId, Tissue.TissueMethods.Parse(cohort.Tissue));

        SlidePlan plan;
        try
        {
            // Opening the slide and computing its tissue mask is pixel work: never on the grain's turn.
            var roots = new DataRoots(options.Value.DataRoots);
            TimeSpan cpu;
            (plan, cpu) = await _pixelWork.RunAsync(() => SlidePlanning.Prepare(job, roots));
            _metrics.PixelWork("plan", cpu);
        }
        catch (Exception ex) when (ex is SlideException or IOException or InvalidDataException or MaskMismatchException or ArgumentException or UnauthorizedAccessException)
        {
            await FailAsync(ex.Message);
            return;
        }

        await Map.BeginAsync(MapPlanOf(plan));
        // Leases first, then what is done: a worker found idle has reported all it will, so the map's list includes it.
        await TakeOverLeasesAsync(plan.Batches.Count);
        var done = (await Map.GetCompletedBatchesAsync()).ToHashSet();
        foreach (var batch in _leased.Keys.Where(done.Contains).ToList()) _leased.Remove(batch);
        _toLease.Clear();
        for (var i = 0; i < plan.Batches.Count; i++)
            if (!done.Contains(i) && !_leased.ContainsKey(i)) _toLease.Enqueue(i);
        _plan = plan;
        _progressAt = system.GetUtcNow();
        if (state.State.BatchesTotal != plan.Batches.Count || state.State.CellsTotal != plan.CellCount)
        {
            (state.State.BatchesTotal, state.State.CellsTotal) = (plan.Batches.Count, plan.CellCount);
            await WriteAsync();
        }
        LogPlanned(Key, plan.Batches.Count, plan.CellCount, done.Count);
        // A map that has every batch finishes by itself (and tells this slide); otherwise workers need to find the slide.
        if (done.Count < plan.Batches.Count) await Directory.AddSlideAsync(Key);
    }

    private MapPlan MapPlanOf(SlidePlan plan)
    {
        var (cohort, slide) = (state.State.Cohort!, state.State.Slide!);
        return new MapPlan(cohort.CohortId, slide.SlideId, plan.SlidePath, plan.Width, plan.Height, cohort.Stride,
            plan.Batches.Count, plan.CellCount, OutputDirectory(cohort, slide));
    }

    private async Task FailAsync(string error)
    {
        LogSlideFailed(Key, error);
        await EndAsync(RunState.Failed, error, lesions: 0);
        _metrics.SlideFailed();
        PathologyTelemetry.StopDetached(_span, "failed", error);
        await AfterEndAsync();
    }

    // The end is in storage before anything else hears of it. A write that fails (after the gate's retries) leaves the
    // slide running in memory as in storage, so that the next try (a worker's, the map's, the watchdog's) ends it again.
    private async Task EndAsync(RunState end, string? error, int lesions)
    {
        var before = (state.State.State, state.State.Error, state.State.Lesions);
        (state.State.State, state.State.Error, state.State.Lesions) = (end, error, lesions);
        _ending = true;
        try
        {
            await WriteAsync();
        }
        catch
        {
            (state.State.State, state.State.Error, state.State.Lesions) = before;
            throw;
        }
        finally
        {
            _ending = false;
        }
    }

    // Telling the directory and the cohort is best effort: a lease asked of an ended slide takes it off the directory,
    // and the cohort's watchdog reads an ended slide's outcome from it.
    private async Task AfterEndAsync()
    {
        _toLease.Clear();
        try
        {
            await Directory.RemoveSlideAsync(Key);
            if (state.State.Cohort is { } cohort)
                await GrainFactory.GetGrain<ICohortGrain>(cohort.CohortId).SlideFinishedAsync(await ProgressAsync());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, Key);
        }
    }

    private Task WriteAsync() => _writes.WriteAsync(state);

    // Leases live in memory; an activation that goes while workers elsewhere still compute its batches (a silo scaled
    // down, or the silo keeping its directory entry leaving) stores them, so the next one waits for those results
    // instead of computing the batches again. A killed silo stores nothing: its leases run out and are leased again.
    private async Task HandOverLeasesAsync(DeactivationReason reason)
    {
        if (state.State.State != RunState.Running || (_leased.Count == 0 && state.State.Leases.Count == 0)) return;
        state.State.Leases = _leased.OrderBy(l => l.Value.Expires)
            .Select(l => new HandedOverLease(l.Key, l.Value.Worker, l.Value.Expires))
            .ToList();
        try
        {
            await WriteAsync();
            LogLeasesHandedOver(Key, state.State.Leases.Count, reason.Description);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not stored: the next activation leases those batches again, as after a crash; a batch computed twice is stored once.
            LogHandOverFailed(ex, Key);
        }
    }

    // Called by a fresh plan: the leases a previous activation handed over are this activation's (with their own
    // expiry), unless it already leased anew. Those of a worker that is gone (its silo left, or the whole cluster
    // restarted) or holds nothing now are dropped, so their batches are leased again at once instead of at expiry.
    private async Task TakeOverLeasesAsync(int batches)
    {
        if (_leased.Count > 0 || state.State.Leases.Count == 0) return;
        var handedOver = state.State.Leases.Where(l => l.Batch < batches).OrderBy(l => l.Expires).ToList();
        // Handed over once: a later deactivation stores the leases held then.
        state.State.Leases = [];
        var busy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var worker in handedOver.Select(l => l.Worker).Distinct())
            if (await IsComputingAsync(worker)) busy.Add(worker);
        foreach (var lease in handedOver.Where(l => busy.Contains(l.Worker)))
        {
            var id = ++_nextLease;
            _leased[lease.Batch] = (id, lease.Worker, _leaseTime.GetUtcNow(), lease.Expires);
            _leaseOrder.Enqueue((lease.Batch, id, lease.Expires));
        }
        LogLeasesTakenOver(Key, _leased.Count, handedOver.Count - _leased.Count);
    }

    private async Task<bool> IsComputingAsync(string worker)
    {
        try
        {
            return (await GrainFactory.GetGrain<IInferenceWorkerGrain>(worker).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(10))).InFlight > 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false; // unreachable or placed nowhere: its leases are not worth waiting for
        }
    }

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

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Slide {Slide}: batch {Batch} held by {Worker} for {MaxBatchTime}; refusing its renewals, it is leased again when its lease runs out")]
    private partial void LogHeldTooLong(string slide, int batch, string worker, TimeSpan maxBatchTime);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Slide {Slide}: batch {Batch} failed on {Worker} (attempt {Attempt}): {Error}")]
    private partial void LogBatchFailed(string slide, int batch, string worker, int attempt, string error);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Slide {Slide} failed: {Error}")]
    private partial void LogSlideFailed(string slide, string error);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Slide {Slide}: planning failed unexpectedly")]
    private partial void LogPlanningFailed(Exception exception, string slide);

    // Per batch, so Debug: with these two a log accounts for every batch a lost worker held and who took it over.
    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Slide {Slide}: batch {Batch} leased to {Worker}")]
    private partial void LogLeased(string slide, int batch, string worker);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Slide {Slide}: no progress for the stall timeout; {Action}")]
    private partial void LogStalled(string slide, string action);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Slide {Slide}: telling its cohort it ended failed; the cohort's watchdog reads it")]
    private partial void LogTellFailed(Exception exception, string slide);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning, Message = "Slide {Slide}: its map could not report progress")]
    private partial void LogProgressFailed(Exception exception, string slide);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "Slide {Slide}: handed {Leases} lease(s) over to its next activation ({Reason})")]
    private partial void LogLeasesHandedOver(string slide, int leases, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information, Message = "Slide {Slide}: took over {Leases} lease(s) still running from its previous activation; {Dropped} of idle or lost workers leased again")]
    private partial void LogLeasesTakenOver(string slide, int leases, int dropped);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Slide {Slide}: could not store its leases for its next activation; they will be leased again")]
    private partial void LogHandOverFailed(Exception exception, string slide);
}
