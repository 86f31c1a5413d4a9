using System.Collections.Concurrent;

namespace OrleansPathology.Grains.Storage;

/// <summary>The embedded single-process store: results live as long as the process (memory grain storage's counterpart).</summary>
public sealed class MemoryBatchResultStore : IBatchResultStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, BatchCells>> _slides = new();

    public Task<bool> TryAddAsync(string slideKey, int batchIndex, BatchCells cells, CancellationToken cancellationToken = default) =>
        Task.FromResult(_slides.GetOrAdd(slideKey, _ => new()).TryAdd(batchIndex, cells));

    public Task<bool[]> TryAddManyAsync(IReadOnlyList<StoredBatch> batches, CancellationToken cancellationToken = default) =>
        Task.FromResult(batches.Select(b => _slides.GetOrAdd(b.SlideKey, _ => new()).TryAdd(b.BatchIndex, b.Cells)).ToArray());

    public Task<IReadOnlyList<(int BatchIndex, BatchCells Cells)>> ReadAllAsync(string slideKey, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<(int, BatchCells)> rows = _slides.TryGetValue(slideKey, out var batches)
            ? batches.Select(kv => (kv.Key, kv.Value)).ToList()
            : [];
        return Task.FromResult(rows);
    }

    public Task DeleteAsync(string slideKey, CancellationToken cancellationToken = default)
    {
        _slides.TryRemove(slideKey, out _);
        return Task.CompletedTask;
    }
}
