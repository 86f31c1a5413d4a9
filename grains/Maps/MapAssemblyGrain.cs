using OrleansPathology.Grains.Storage;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Grains.Maps;

/// <summary>
/// Stitches one slide's probability map, as MONAI's ProbMapProducer does: a countdown of outstanding
/// batches, each recorded once (the batch store's key makes a duplicate a no-op), and the outputs written
/// when it reaches zero. On reactivation the map is rebuilt from the stored batches.
/// </summary>
public sealed class MapAssemblyGrain(
    [PersistentState("map", PathologyGrainOptions.StorageName)] IPersistentState<MapAssemblyState> state,
    IBatchResultStore store) : Grain, IMapAssemblyGrain
{
    private ProbabilityMap? _map;
    private readonly HashSet<int> _completed = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.RecordExists) await LoadAsync(cancellationToken);
    }

    public async Task BeginAsync(string slidePath, long slideWidth, long slideHeight, int stride, int batchCount, string outputDirectory)
    {
        var s = state.State;
        if (state.RecordExists && s.SlidePath == slidePath && s.Stride == stride && s.BatchCount == batchCount) return;
        (s.SlidePath, s.SlideWidth, s.SlideHeight, s.Stride, s.BatchCount, s.OutputDirectory, s.Finished) =
            (slidePath, slideWidth, slideHeight, stride, batchCount, outputDirectory, false);
        await state.WriteStateAsync();
        await LoadAsync(CancellationToken.None);
    }

    public async Task<bool> ApplyAsync(int batchIndex, int[] cellX, int[] cellY, float[] probabilities)
    {
        var map = _map ?? throw new InvalidOperationException($"map {this.GetPrimaryKeyString()} received batch {batchIndex} before BeginAsync");
        if (_completed.Contains(batchIndex)) return false;
        var cells = new BatchCells(cellX, cellY, probabilities);
        // The store decides: only the first delivery of a batch is written, even across restarts and silos.
        if (!await store.TryAddAsync(this.GetPrimaryKeyString(), batchIndex, cells))
        {
            // Stored since this activation loaded, by another activation of this map (one on a silo declared dead that
            // still ran): the stored values are the batch's, so the map is rebuilt from the store to hold them too.
            await LoadAsync(CancellationToken.None);
            return false;
        }
        Apply(map, cells);
        _completed.Add(batchIndex);
        return true;
    }

    public Task<int[]> GetCompletedBatchesAsync() => Task.FromResult(_completed.Order().ToArray());

    public async Task<int> FinishAsync()
    {
        var s = state.State;
        if (s.Finished) return s.Lesions;
        var map = _map ?? throw new InvalidOperationException($"map {this.GetPrimaryKeyString()} finished before BeginAsync");
        if (_completed.Count < s.BatchCount)
            throw new InvalidOperationException($"map {this.GetPrimaryKeyString()} has {_completed.Count} of {s.BatchCount} batches");

        // Thumbnail reading and PNG encoding are pixel work: off the grain's turn.
        var lesions = await Task.Run(() =>
        {
            using var slide = Slide.Open(s.SlidePath);
            return InferenceOutputs.Write(s.OutputDirectory, slide, map).Count;
        });
        (s.Finished, s.Lesions) = (true, lesions);
        await state.WriteStateAsync();
        return lesions;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var s = state.State;
        var grid = new CellGrid(s.SlideWidth, s.SlideHeight, s.Stride);
        _map = ProbabilityMap.For(grid);
        _completed.Clear();
        foreach (var (index, cells) in await store.ReadAllAsync(this.GetPrimaryKeyString(), cancellationToken))
        {
            Apply(_map, cells);
            _completed.Add(index);
        }
    }

    private static void Apply(ProbabilityMap map, BatchCells cells)
    {
        for (var i = 0; i < cells.X.Length; i++) map[cells.X[i], cells.Y[i]] = cells.Probabilities[i];
    }
}
