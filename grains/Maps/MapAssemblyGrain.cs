using Microsoft.Extensions.Logging;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Maps;

/// <summary>
/// Stitches one slide's probability map, as MONAI's ProbMapProducer does: workers send results here directly, each
/// batch is recorded once (the batch store's key makes a duplicate a no-op; the silo's <see cref="BatchResultWriter"/>
/// stores many in one round trip and answers once they are durable), and when the countdown reaches zero the outputs
/// are written and the slide and cohort are told. On reactivation the map is rebuilt from the stored batches.
/// Reentrant: many results wait on one group write at once.
/// </summary>
[Reentrant]
public sealed partial class MapAssemblyGrain(
    [PersistentState("map", PathologyGrainOptions.StorageName)] IPersistentState<MapAssemblyState> state,
    IBatchResultStore store,
    BatchResultWriter writer,
    ILogger<MapAssemblyGrain> logger,
    PathologyMetrics? metrics = null) : Grain, IMapAssemblyGrain
{
    private readonly StateWriteGate _writes = new();
    private readonly PathologyMetrics _metrics = metrics ?? PathologyMetrics.Unregistered;
    private readonly HashSet<int> _recorded = [];
    private readonly Dictionary<int, Task<bool>> _storing = [];
    private ProbabilityMap? _map;
    private long _cellsRecorded;
    private Task? _finishing;
    private readonly PixelWork _pixelWork = new();

    private string Key => this.GetPrimaryKeyString();

    // Outputs being written when the silo stops are finished first (and are whole on disk when it has stopped).
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _pixelWork.WaitAsync(cancellationToken);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Plan is null) return;
        await LoadAsync(cancellationToken);
        FinishWhenComplete();
    }

    public async Task BeginAsync(MapPlan plan)
    {
        if (state.State.Plan != plan)
        {
            (state.State.Plan, state.State.Finished, state.State.Lesions) = (plan, false, 0);
            await _writes.WriteAsync(state);
            await LoadAsync(CancellationToken.None);
        }
        // A map that already has every batch (a slide replanned after a restart) finishes now, or tells its slide again.
        FinishWhenComplete();
    }

    public async Task<bool> RecordAsync(WorkResult result)
    {
        var plan = state.State.Plan ?? throw new InvalidOperationException($"map {Key} received batch {result.BatchIndex} before it was begun");
        var index = result.BatchIndex;
        if (index < 0 || index >= plan.BatchCount)
            throw new ArgumentException($"map {Key} has batches 0 to {plan.BatchCount - 1}; batch {index} is not one of them");
        if (result.Probabilities.Length != result.CellX.Length || result.CellY.Length != result.CellX.Length)
            throw new ArgumentException($"batch {index} of {Key} returned {result.Probabilities.Length} probabilities for {result.CellX.Length} cells");
        LogResultReceived(Key, index, result.Worker);
        if (_recorded.Contains(index)) return false;
        if (_storing.TryGetValue(index, out var storing))
        {
            await storing; // a duplicate arriving while the first delivery is being stored
            return false;
        }

        var cells = new BatchCells(result.CellX, result.CellY, result.Probabilities);
        var store = writer.AddAsync(Key, index, cells);
        _storing[index] = store;
        bool added;
        try
        {
            added = await store;
        }
        catch (BatchRefusedException ex)
        {
            // Refused for good: the worker reports it as a failure of the batch, so the slide fails with the reason.
            throw new ArgumentException($"batch {index} of {Key} cannot be stored: {ex.Message}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store's own exception types (Npgsql's) have no codec on other silos: the worker gets the message, and
            // the batch is leased again when its lease runs out.
            throw new InvalidOperationException($"batch {index} of {Key} could not be stored now: {ex.Message}");
        }
        finally
        {
            _storing.Remove(index);
        }
        if (!added)
        {
            // Stored since this activation loaded, by another activation of this map (one on a silo declared dead that
            // still ran): the stored values are the batch's, so the map is rebuilt from the store to hold them too.
            await LoadAsync(CancellationToken.None);
            FinishWhenComplete();
            return false;
        }
        if (_recorded.Add(index))
        {
            Apply(_map!, cells);
            _cellsRecorded += cells.X.Length;
        }
        FinishWhenComplete();
        return true;
    }

    public Task<int[]> WhichRecordedAsync(int[] batches) => Task.FromResult(batches.Where(_recorded.Contains).ToArray());

    public Task<int[]> GetCompletedBatchesAsync() => Task.FromResult(_recorded.Order().ToArray());

    public Task<MapProgress> GetProgressAsync() => Task.FromResult(new MapProgress(_recorded.Count, _cellsRecorded));

    // Off the worker's call: the last result is acknowledged once durable, and the outputs are written after it.
    private void FinishWhenComplete()
    {
        if (state.State.Plan is not { } plan || _recorded.Count < plan.BatchCount || _finishing is { IsCompleted: false }) return;
        _finishing = FinishAsync(plan);
    }

    private async Task FinishAsync(MapPlan plan)
    {
        var slide = GrainFactory.GetGrain<ISlideGrain>(Key);
        if (!state.State.Finished)
        {
            int lesions;
            try
            {
                var map = _map!;
                // Thumbnail reading and PNG encoding are pixel work: off the grain's turn.
                TimeSpan cpu;
                (lesions, cpu) = await _pixelWork.RunAsync(() =>
                {
                    using var opened = Slide.Open(plan.SlidePath);
                    return InferenceOutputs.Write(plan.OutputDirectory, opened, map).Count;
                });
                _metrics.PixelWork("outputs", cpu);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Outputs that cannot be written fail the slide with the reason: writing them again would fail the same way.
                LogFinishFailed(ex, Key);
                await TellAsync(() => slide.MapFailedAsync(ex.Message));
                return;
            }
            (state.State.Finished, state.State.Lesions) = (true, lesions);
            try
            {
                await _writes.WriteAsync(state);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A storage hiccup: the slide, still running, begins this map again and it finishes then.
                state.State.Finished = false;
                LogFinishFailed(ex, Key);
                return;
            }
        }
        await TellAsync(() => slide.MapCompletedAsync(state.State.Lesions));
    }

    // The slide may be on a silo that is going away: it finds the outcome again when it replans (Begin tells it again).
    private async Task TellAsync(Func<Task> tell)
    {
        try
        {
            await tell();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTellFailed(ex, Key);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var plan = state.State.Plan!;
        _map = ProbabilityMap.For(new CellGrid(plan.SlideWidth, plan.SlideHeight, plan.Stride));
        _recorded.Clear();
        _cellsRecorded = 0;
        foreach (var (index, cells) in await store.ReadAllAsync(Key, cancellationToken))
        {
            Apply(_map, cells);
            _recorded.Add(index);
            _cellsRecorded += cells.X.Length;
        }
    }

    private static void Apply(ProbabilityMap map, BatchCells cells)
    {
        for (var i = 0; i < cells.X.Length; i++) map[cells.X[i], cells.Y[i]] = cells.Probabilities[i];
    }

    // Per batch, so Debug; in the slide's words, so that with its lease lines a log accounts for every batch a lost worker held.
    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Slide {Slide}: batch {Batch} result received from {Worker}")]
    private partial void LogResultReceived(string slide, int batch, string worker);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Map {Map}: writing the outputs failed")]
    private partial void LogFinishFailed(Exception exception, string map);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Map {Map}: telling the slide its outcome failed; it hears it again when it replans")]
    private partial void LogTellFailed(Exception exception, string map);
}
