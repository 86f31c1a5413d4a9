using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Devices;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Cohorts;

/// <summary>
/// A submitted cohort: starts a slide grain per slide, keeps each slide's outcome as it finishes, and
/// answers status from its slides. Reentrant because slides report back to it while it may be calling them.
/// While any slide runs, a watchdog timer (which keeps the cohort active) visits the unfinished slides every
/// <see cref="PathologyGrainOptions.WatchInterval"/>: a stalled slide starts again what it lost, an ended one that could not
/// report is recorded, and after a cancel a slide that missed it is cancelled again. So every slide ends. The timer dies
/// with the cohort's silo: every silo's cohort revival calls the cohorts the registry lists as running, which
/// reactivates such a cohort elsewhere, and its activation starts the watchdog again.
/// Its span (<see cref="PathologyTelemetry.Spans.Cohort"/>) runs from submission until the last slide finishes.
/// </summary>
[Reentrant]
public sealed partial class CohortGrain(
    [PersistentState("cohort", PathologyGrainOptions.StorageName)] IPersistentState<CohortState> state,
    TimeProvider time,
    IOptions<PathologyGrainOptions> options,
    ILogger<CohortGrain> logger,
    DeviceInventory? devices = null) : Grain, ICohortGrain
{
    /// <summary>The longest cohort or slide id.</summary>
    public const int MaxIdLength = 128;

    private readonly StateWriteGate _writes = new();
    private Activity? _span;
    private IGrainTimer? _watchdog;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A cohort reactivated on another silo (its own died) watches its slides again.
        if (state.State.Spec is not null && HasUnfinishedSlides()) StartWatchdog();
        return Task.CompletedTask;
    }

    public async Task<CohortStatus> SubmitAsync(CohortSpec spec)
    {
        Validate(spec);
        if (state.State.Spec is { } existing)
        {
            // The weights stay those pinned at the first submission, whatever the file holds now.
            if (!SameSpec(existing, spec with { Layout = spec.Layout ?? existing.Layout, WeightsDigest = spec.WeightsDigest ?? existing.WeightsDigest }))
                throw new ArgumentException($"cohort '{spec.CohortId}' was already submitted with different slides or settings; choose a new cohort id");
        }
        else
        {
            var digest = await PinWeightsAsync(spec);
            // What batch N holds is decided here, once, for the fastest device kind the cluster has, and recorded.
            state.State.Spec = spec with
            {
                Layout = spec.Layout ?? options.Value.LayoutFor(devices?.FastestKind() ?? Inference.DeviceKind.Cpu),
                WeightsDigest = digest,
            };
            state.State.SubmittedAt = time.GetUtcNow();
            await WriteAsync();
        }
        await RegisterAsync(spec.CohortId);

        // Starting is idempotent on each slide, so a resubmission also restarts anything that was interrupted.
        if (!state.State.Cancelled)
        {
            if (_span is null && state.State.FinishedAt is null)
            {
                _span = PathologyTelemetry.StartDetached(PathologyTelemetry.Spans.Cohort, default,
                    [new(PathologyTelemetry.Attributes.Cohort, spec.CohortId), new("opath.cohort.slides", spec.Slides.Count)]);
            }
            // The slides' spans become children of this one (see SlideGrain).
            if (PathologyTelemetry.TraceParentOf(_span) is { } traceParent) RequestContext.Set(PathologyTelemetry.CohortTraceKey, traceParent);
            var recorded = state.State.Spec;
            StartWatchdog();
            await Task.WhenAll(recorded.Slides
                .Where(s => !state.State.Finished.ContainsKey(s.SlideId))
                .Select(s => Slide(s).StartAsync(recorded, s)));
        }
        return (await GetStatusAsync())!;
    }

    public async Task<CohortStatus?> GetStatusAsync()
    {
        if (state.State.Spec is not { } spec) return null;
        var slides = await Task.WhenAll(spec.Slides.Select(s =>
            state.State.Finished.TryGetValue(s.SlideId, out var done) ? Task.FromResult(done) : Slide(s).GetProgressAsync()));
        // A slide ends before it reports to its cohort (it writes its own state first), and a report may be lost with a
        // dying silo: an ended slide seen here is recorded as if it had reported, so that the state derived from these
        // slides and FinishedAt always agree (an ended cohort says when it ended).
        var ended = slides.Where(s => s.State is RunState.Completed or RunState.Failed or RunState.Cancelled
            && !state.State.Finished.ContainsKey(s.SlideId)).ToList();
        if (ended.Count > 0) await RecordFinishedAsync(spec, ended);
        return new CohortStatus(spec.CohortId, Overall(slides), slides, state.State.SubmittedAt, state.State.FinishedAt);
    }

    public async Task<CohortStatus?> CancelAsync()
    {
        if (state.State.Spec is not { } spec) return null;
        // A cohort that ended before the cancel arrived keeps its outcome: there was nothing left to cancel.
        if (state.State.FinishedAt is not null && !state.State.Cancelled) return await GetStatusAsync();
        state.State.Cancelled = true;
        // Cancelled is an ended state from now on, whether or not the slides have stopped yet.
        state.State.FinishedAt ??= time.GetUtcNow();
        await WriteAsync();
        PathologyTelemetry.StopDetached(_span, "cancelled");
        await Task.WhenAll(spec.Slides.Where(s => !state.State.Finished.ContainsKey(s.SlideId)).Select(s => Slide(s).CancelAsync()));
        return await GetStatusAsync();
    }

    public async Task SlideFinishedAsync(SlideProgress outcome)
    {
        if (state.State.Spec is not { } spec) return;
        await RecordFinishedAsync(spec, [outcome]);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A span that is never stopped is never exported.
        PathologyTelemetry.StopDetached(_span, "deactivated");
        return Task.CompletedTask;
    }

    // The cohort ends when its last slide does; FinishedAt is set in the same turn as that slide is recorded.
    private async Task RecordFinishedAsync(CohortSpec spec, IReadOnlyList<SlideProgress> outcomes)
    {
        foreach (var outcome in outcomes) state.State.Finished[outcome.SlideId] = outcome;
        if (state.State.Finished.Count == spec.Slides.Count) state.State.FinishedAt ??= time.GetUtcNow();
        await WriteAsync();
        if (state.State.FinishedAt is not null && !HasUnfinishedSlides())
        {
            StopWatchdog();
            await UnlistAsync(spec.CohortId);
        }
        if (state.State.FinishedAt is not null)
        {
            _span?.SetTag("opath.cohort.failed_slides", state.State.Finished.Values.Count(s => s.State == RunState.Failed));
            PathologyTelemetry.StopDetached(_span, "completed");
        }
    }

    // Cancelled once a cancel was accepted, whatever the slides did after it (a slide finishing as the cancel arrives
    // never turns it into Completed); otherwise Completed only when every slide completed.
    private RunState Overall(IReadOnlyList<SlideProgress> slides)
    {
        if (state.State.Cancelled) return RunState.Cancelled;
        if (slides.Any(s => s.State is RunState.Running or RunState.Pending)) return RunState.Running;
        var completed = slides.Count(s => s.State == RunState.Completed);
        return completed == slides.Count ? RunState.Completed : completed == 0 ? RunState.Failed : RunState.CompletedWithFailures;
    }

    private bool HasUnfinishedSlides() => state.State.Spec!.Slides.Any(s => !state.State.Finished.ContainsKey(s.SlideId));

    private void StartWatchdog()
    {
        if (_watchdog is not null) return;
        var every = options.Value.WatchInterval;
        _watchdog = this.RegisterGrainTimer(WatchAsync, new GrainTimerCreationOptions(every, every) { KeepAlive = true, Interleave = true });
    }

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }

    // Each unfinished slide on its own: one unreachable slide (its silo dying) does not hold up the others.
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        if (state.State.Spec is not { } spec) return;
        var unfinished = spec.Slides.Where(s => !state.State.Finished.ContainsKey(s.SlideId)).ToList();
        if (unfinished.Count == 0)
        {
            StopWatchdog();
            return;
        }
        var seen = await Task.WhenAll(unfinished.Select(async s =>
        {
            try
            {
                if (state.State.Cancelled) await Slide(s).CancelAsync();
                var progress = await Slide(s).WatchAsync();
                // A slide that never heard its start (the call was lost with a silo) is started now.
                if (progress.State == RunState.Pending && !state.State.Cancelled) await Slide(s).StartAsync(spec, s);
                return progress;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSlideUnreachable(ex, spec.CohortId, s.SlideId);
                return null;
            }
        }));
        var ended = seen.OfType<SlideProgress>().Where(p => p.State is RunState.Completed or RunState.Failed or RunState.Cancelled).ToList();
        if (ended.Count > 0) await RecordFinishedAsync(spec, ended);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Cohort {Cohort}: the watchdog could not reach slide {Slide}; it tries again next visit")]
    private partial void LogSlideUnreachable(Exception exception, string cohort, string slide);

    private ISlideGrain Slide(SlideSpec slide) => GrainFactory.GetGrain<ISlideGrain>($"{state.State.Spec!.CohortId}/{slide.SlideId}");

    private void Validate(CohortSpec spec)
    {
        if (spec.CohortId != this.GetPrimaryKeyString())
            throw new ArgumentException($"cohort id '{spec.CohortId}' does not match grain '{this.GetPrimaryKeyString()}'");
        if (spec.Slides.Count == 0) throw new ArgumentException($"cohort '{spec.CohortId}' has no slides");
        var duplicate = spec.Slides.GroupBy(s => s.SlideId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"cohort '{spec.CohortId}' names slide id '{duplicate.Key}' twice");
        foreach (var id in spec.Slides.Select(s => s.SlideId).Append(spec.CohortId))
        {
            // Ids become folder names under the output root and parts of grain keys.
            if (string.IsNullOrWhiteSpace(id) || id.Contains('/') || id.Contains('\\') || id is "." or "..")
                throw new ArgumentException($"'{id}' is not a valid id (no slashes, not empty, not . or ..)");
            // Keys ({cohort}/{slide}) are stored in columns of 512 characters and become folder names (255 at most).
            if (id.Length > MaxIdLength)
                throw new ArgumentException($"id '{id[..40]}...' has {id.Length} characters; ids have at most {MaxIdLength}");
        }
        Inference.InferenceOptions.ValidateStride(spec.Stride);
        Tissue.TissueMethods.Parse(spec.Tissue);
        if (spec.Layout is { } layout && (layout.RegionCells < 1 || layout.PatchesPerBatch < 1))
            throw new ArgumentException($"batch layout needs positive region cells and patches per batch (got {layout.RegionCells} and {layout.PatchesPerBatch})");
    }

    /// <summary>
    /// Checks the output root and the weights against the data roots, checks that the weights are a loadable model, and
    /// keeps a copy named by their SHA-256 under the output root; returns the digest. A cluster whose devices are all
    /// simulated reads no weights: nothing is pinned (null).
    /// </summary>
    private async Task<string?> PinWeightsAsync(CohortSpec spec)
    {
        var roots = new DataRoots(options.Value.DataRoots);
        var output = RootChecked(roots, spec.OutputRoot, DataPathKind.Output);
        var live = devices?.LiveDevices() ?? [];
        var simulatedOnly = devices is null || (live.Count > 0 && live.All(key => Inference.DeviceName.TryParse(key[(key.IndexOf('/') + 1)..], out var d) && d.Kind == Inference.DeviceKind.Sim));
        if (simulatedOnly) return spec.WeightsDigest;
        var weights = RootChecked(roots, spec.WeightsPath, DataPathKind.Weights);
        string digest;
        try
        {
            // Reading, hashing and loading 45 MB is file and tensor work: never on the grain's turn.
            digest = await Task.Run(() => Model.PinnedWeights.Pin(weights, output));
        }
        catch (Model.ModelWeightsException ex)
        {
            throw new ArgumentException(ex.Message.Replace(weights, spec.WeightsPath, StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot keep a copy of weights {spec.WeightsPath} under output root {spec.OutputRoot}: {ex.Message}");
        }
        if (spec.WeightsDigest is { } expected && expected != digest)
            throw new ArgumentException($"weights {spec.WeightsPath}: sha256 is {digest}, not {expected} as the cohort names");
        return digest;
    }

    // A refusal is bad input from the submitter: it crosses to the client as an ArgumentException with the path as given.
    private static string RootChecked(DataRoots roots, string path, DataPathKind kind)
    {
        try
        {
            return roots.Check(path, kind);
        }
        catch (DataRootException ex)
        {
            throw new ArgumentException(ex.Message);
        }
    }

    // Records holding lists compare by reference; the serialised form compares by value.
    private static bool SameSpec(CohortSpec a, CohortSpec b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    private Task WriteAsync() => _writes.WriteAsync(state);

    // Listed for operators. Idempotent, so a resubmission after a lost registration lists it too; advisory, so a registry
    // that cannot write now (a database restart) does not fail the submission.
    private async Task RegisterAsync(string cohortId)
    {
        try
        {
            await GrainFactory.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key).RegisterAsync(cohortId, state.State.SubmittedAt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRegistrationFailed(logger, ex, cohortId);
        }
    }

    // Advisory too: a cohort still listed as running is dropped by the next revival pass that finds it ended.
    private async Task UnlistAsync(string cohortId)
    {
        try
        {
            await GrainFactory.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key).EndedAsync(cohortId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnlistFailed(logger, ex, cohortId);
        }
    }

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Cohort {Cohort} ended but is still listed as running in the cohort registry; a revival pass drops it")]
    private static partial void LogUnlistFailed(ILogger logger, Exception exception, string cohort);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Cohort {Cohort} could not be listed in the cohort registry; submitting it again lists it")]
    private static partial void LogRegistrationFailed(ILogger logger, Exception exception, string cohort);
}
