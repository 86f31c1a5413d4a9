using OrleansPathology.Grains.Devices;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Slides;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Grains.Work;
using OrleansPathology.Inference;

namespace OrleansPathology.Grains.Workers;

/// <summary>
/// One device's worker (key <c>{siloName}/{device}</c>, placed on that silo). Once started it stays active
/// and pulls work while it has free slots: it leases as many items as it can start straight from the slides
/// that have work (<see cref="WorkSource"/>), runs each item's read and forward pass on the thread pool (never on
/// the grain's turn), and sends the result with its cells to the slide's map, or a failure to the slide. With
/// nothing to do it waits as <see cref="WorkSource.WaitAsync"/> says.
/// Reentrant: status and drain calls interleave with the pump's awaits; all fields are touched only on
/// the grain's turn.
/// </summary>
[DevicePinnedPlacement, Reentrant]
public sealed partial class InferenceWorkerGrain(
    BatchScorer scorer,
    WorkSource work,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<InferenceWorkerGrain> logger,
    PathologyMetrics? metrics = null) : Grain, IInferenceWorkerGrain
{
    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;
    private readonly Dictionary<long, Task> _inFlight = [];
    private long _nextItem;
    private CancellationTokenSource? _running;
    private Task _pump = Task.CompletedTask;
    private long _batchesDone;
    private long _cellsDone;
    private readonly RecentRate _rate = new(time);
    private string? _lastError;

    private string Key => this.GetPrimaryKeyString();
    private string Device => DeviceKeys.Parse(Key).Device;

    public Task StartAsync()
    {
        if (_running is not null) return Task.CompletedTask;
        var (siloName, device) = DeviceKeys.Parse(Key);
        var local = options.Value;
        if (siloName != local.SiloName)
            throw new InvalidOperationException($"worker {Key} was activated on silo '{local.SiloName}', not on '{siloName}'");
        if (!local.Devices.Contains(device, StringComparer.Ordinal))
            throw new ArgumentException($"silo '{local.SiloName}' has no device '{device}' (it has {string.Join(", ", local.Devices)})");

        _running = new CancellationTokenSource();
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        _pump = PumpAsync(_running.Token);
        LogStarted(Key, local.Concurrency);
        return Task.CompletedTask;
    }

    public Task<WorkerStatus> GetStatusAsync() => Task.FromResult(new WorkerStatus(
        Key, options.Value.SiloName, Device, _inFlight.Count, _batchesDone, _cellsDone, scorer.LoadedWeights(Device),
        scorer.BusyOf(Device).TotalSeconds, _rate.CellsPerSecond(), _lastError, _running is not null));

    public async Task DrainAsync()
    {
        await StopAsync();
        // Idle collection applies again, unless a start came in while the batches finished.
        if (_running is null) DelayDeactivation(TimeSpan.Zero);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_running is null && _inFlight.Count == 0) return;
        var wasPulling = _running is not null;
        LogDeactivatedWhileBusy(Key, _inFlight.Count, reason.Description);
        await StopAsync().WaitAsync(cancellationToken)
            .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        // Deactivated from outside while pulling (the silo that kept its directory entry left the cluster on a scale-down):
        // start again on this silo now, not at the lifecycle's next watch. Never while this silo shuts down (it drained first).
        if (wasPulling && reason.ReasonCode != DeactivationReasonCode.ShuttingDown) StartAgainSoon();
    }

    // The call waits until this activation is gone, then activates the worker afresh (placed on this silo again).
    private void StartAgainSoon()
    {
        var (self, key) = (GrainFactory.GetGrain<IInferenceWorkerGrain>(Key), Key);
        _ = Task.Run(async () =>
        {
            try
            {
                await self.StartAsync();
                LogStartedAgain(key);
            }
            catch (Exception ex)
            {
                LogStartAgainFailed(ex, key);
            }
        });
    }

    // Stops pulling, then waits for the batches in flight to be computed and reported.
    private async Task StopAsync()
    {
        if (_running is { } running)
        {
            _running = null;
            await running.CancelAsync();
            await _pump;
            running.Dispose();
            LogDraining(Key, _inFlight.Count);
        }
        await Task.WhenAll(_inFlight.Values);
    }

    private async Task PumpAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var free = options.Value.Concurrency - _inFlight.Count;
            if (free <= 0)
            {
                await Task.WhenAny(_inFlight.Values);
                continue;
            }

            IReadOnlyList<WorkItem> items = [];
            try
            {
                items = await work.LeaseAsync(Key, free);
            }
            catch (Exception ex)
            {
                LogPullFailed(ex, Key);
            }
            // Items leased while a drain began are run all the same: their leases are ours.
            foreach (var item in items) Track(item);
            if (items.Count < free && !stop.IsCancellationRequested)
            {
                await work.WaitAsync(stop)
                    .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void Track(WorkItem item)
    {
        var id = _nextItem++;
        _metrics.BatchStarted(Key);
        var task = RunAsync(id, item);
        if (!task.IsCompleted) _inFlight[id] = task;
    }

    private async Task RunAsync(long id, WorkItem item)
    {
        var started = time.GetTimestamp();
        // The batch's span is its slide's child; read and infer (in the engine) and assemble are its children.
        using var span = PathologyTelemetry.Source.StartActivity(PathologyTelemetry.Spans.Batch, ActivityKind.Internal,
            PathologyTelemetry.ParentFrom(item.TraceParent), BatchTags(item));
        var slide = GrainFactory.GetGrain<ISlideGrain>(item.SlideKey);
        var held = new CancellationTokenSource();
        _ = RenewWhileHeldAsync(slide, item, held.Token);
        try
        {
            WorkResult result;
            try
            {
                var (key, device) = (Key, Device);
                var scored = await Task.Run(() => scorer.ScoreAsync(WorkItems.ToTileBatch(item), new WeightsSource(item.WeightsPath, item.WeightsDigest),
                    string.IsNullOrWhiteSpace(item.Precision) ? options.Value.Precision : item.Precision, device));
                result = new WorkResult(item.SlideKey, item.BatchIndex, scored.Probabilities, key, scored.ReadSeconds, scored.ComputeSeconds,
                    item.CellX, item.CellY);
            }
            catch (Exception ex)
            {
                span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogBatchFailed(ex, Key, item.SlideKey, item.BatchIndex);
                _lastError = $"{time.GetUtcNow():u} {item.SlideKey} batch {item.BatchIndex}: {ex.GetType().Name}: {ex.Message}";
                await ReportAsync(() => slide.FailBatchAsync(item.BatchIndex, Key, $"{ex.GetType().Name}: {ex.Message}"), item);
                return;
            }

            // The map stores the result before it answers: once this returns, the batch is durable.
            var map = GrainFactory.GetGrain<IMapAssemblyGrain>(item.SlideKey);
            bool reported;
            using (PathologyTelemetry.Source.StartActivity(PathologyTelemetry.Spans.Assemble))
                reported = await ReportAsync(async () =>
                {
                    try
                    {
                        await map.RecordAsync(result);
                    }
                    catch (ArgumentException refused)
                    {
                        await slide.FailBatchAsync(item.BatchIndex, Key, refused.Message);
                        throw;
                    }
                }, item);
            if (reported)
            {
                _batchesDone++;
                _cellsDone += item.CellX.Length;
                _rate.Add(item.CellX.Length);
                _metrics.BatchScored(Key, Device, item.CellX.Length, time.GetElapsedTime(started).TotalSeconds, result.ReadSeconds, result.ComputeSeconds);
                LogBatchDone(Key, item.SlideKey, item.BatchIndex, item.CellX.Length, result.ReadSeconds, result.ComputeSeconds);
            }
            else
            {
                _lastError = $"{time.GetUtcNow():u} {item.SlideKey} batch {item.BatchIndex}: the result could not be reported";
                span?.SetStatus(ActivityStatusCode.Error, "the result could not be reported");
            }
        }
        finally
        {
            held.Cancel();
            _inFlight.Remove(id);
            _metrics.BatchEnded(Key);
        }
    }

    // A batch queued behind another on its device, or slower than the lease time, keeps its lease: renewed every third
    // of the lease time while held, so the lease time bounds how long a lost worker's batches wait, not a batch's work.
    // A refusal does not stop the renewals: a slide's next activation refuses them until it has taken its leases over.
    private async Task RenewWhileHeldAsync(ISlideGrain slide, WorkItem item, CancellationToken held)
    {
        if (item.LeaseTime <= TimeSpan.Zero) return;
        var refused = false;
        while (true)
        {
            await Task.Delay(item.LeaseTime / 3, time, held)
                .ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
            if (held.IsCancellationRequested) return;
            try
            {
                if (await slide.RenewLeaseAsync(item.BatchIndex, Key) || refused) continue;
                refused = true;
                LogLeaseLost(Key, item.SlideKey, item.BatchIndex);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The slide cannot answer now (its silo moving): try again at the next renewal, well before the lease runs out.
                LogRenewFailed(ex, Key, item.SlideKey, item.BatchIndex);
            }
        }
    }

    private KeyValuePair<string, object?>[] BatchTags(WorkItem item) =>
    [
        new(PathologyTelemetry.Attributes.Slide, item.SlideKey),
        new(PathologyTelemetry.Attributes.Batch, item.BatchIndex),
        new(PathologyTelemetry.Attributes.Cells, item.CellX.Length),
        new(PathologyTelemetry.Attributes.Worker, Key),
        new(PathologyTelemetry.Attributes.Device, Device),
    ];

    // A report that does not arrive is not retried: the slide leases the batch again when its lease runs out.
    // A map that refuses the result (a wrong count of cells) fails it as a batch failure of this worker.
    private async Task<bool> ReportAsync(Func<Task> report, WorkItem item)
    {
        try
        {
            await report();
            return true;
        }
        catch (Exception ex)
        {
            LogReportFailed(ex, Key, item.SlideKey, item.BatchIndex);
            return false;
        }
    }
}
