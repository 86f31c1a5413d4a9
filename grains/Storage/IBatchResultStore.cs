namespace OrleansPathology.Grains.Storage;

/// <summary>
/// Durable per-batch results of a slide's map: one row per (slide, batch), written at most once, so a
/// map-assembly grain that restarts rebuilds its map from here and no finished batch is computed again.
/// Rows are small (a batch's cells and probabilities), so a write costs the batch, never the whole map.
/// </summary>
public interface IBatchResultStore
{
    /// <summary>Stores a batch; false when the slide already has that batch (a duplicate delivery).</summary>
    Task<bool> TryAddAsync(string slideKey, int batchIndex, BatchCells cells, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores many batches in one round trip; for each, in order, false when it was already stored (a duplicate
    /// delivery, or the same batch twice in <paramref name="batches"/>).
    /// </summary>
    Task<bool[]> TryAddManyAsync(IReadOnlyList<StoredBatch> batches, CancellationToken cancellationToken = default);

    /// <summary>Every stored batch of a slide.</summary>
    Task<IReadOnlyList<(int BatchIndex, BatchCells Cells)>> ReadAllAsync(string slideKey, CancellationToken cancellationToken = default);

    /// <summary>Forgets a slide's batches (a cohort resubmitted after its outputs were deleted, or tests).</summary>
    Task DeleteAsync(string slideKey, CancellationToken cancellationToken = default);
}

/// <summary>One batch of one slide, as the store keeps it.</summary>
public sealed record StoredBatch(string SlideKey, int BatchIndex, BatchCells Cells);

/// <summary>A batch's cells and their probabilities, with a compact binary form for storage.</summary>
public sealed record BatchCells(int[] X, int[] Y, float[] Probabilities)
{
    public byte[] ToBytes()
    {
        var bytes = new byte[4 + X.Length * 12];
        BitConverter.TryWriteBytes(bytes, X.Length);
        for (var i = 0; i < X.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(4 + i * 12), X[i]);
            BitConverter.TryWriteBytes(bytes.AsSpan(8 + i * 12), Y[i]);
            BitConverter.TryWriteBytes(bytes.AsSpan(12 + i * 12), Probabilities[i]);
        }
        return bytes;
    }

    public static BatchCells FromBytes(byte[] bytes)
    {
        var count = BitConverter.ToInt32(bytes, 0);
        if (bytes.Length != 4 + count * 12) throw new InvalidDataException($"batch record of {bytes.Length} bytes does not hold {count} cells");
        var (x, y, p) = (new int[count], new int[count], new float[count]);
        for (var i = 0; i < count; i++)
        {
            x[i] = BitConverter.ToInt32(bytes, 4 + i * 12);
            y[i] = BitConverter.ToInt32(bytes, 8 + i * 12);
            p[i] = BitConverter.ToSingle(bytes, 12 + i * 12);
        }
        return new BatchCells(x, y, p);
    }
}
