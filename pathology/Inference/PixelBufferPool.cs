namespace OrleansPathology.Inference;

/// <summary>
/// Batch pixel buffers, reused. A dense region's buffer is up to 59 MB: a fresh one costs its page faults, and a used
/// one is large-object garbage the GC left for its next full collection, which came only after about a gigabyte of
/// them. Keeps at most <see cref="Capacity"/> free buffers, the largest; a rented buffer may be longer than asked for.
/// Thread-safe.
/// </summary>
public sealed class PixelBufferPool
{
    private const int Granularity = 1 << 20; // sizes rounded up to whole MiB, so that a buffer fits regions a little larger
    private readonly Lock _gate = new();
    private readonly List<byte[]> _free = [];

    public PixelBufferPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Free buffers kept at most: as many as a reader of batches has in use at once.</summary>
    public int Capacity { get; }

    /// <summary>Bytes held in free buffers now.</summary>
    public long FreeBytes
    {
        get
        {
            lock (_gate) return _free.Sum(b => b.LongLength);
        }
    }

    /// <summary>The smallest free buffer of at least <paramref name="bytes"/>, or a new one; its contents are undefined.</summary>
    public byte[] Rent(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        lock (_gate)
        {
            var best = -1;
            for (var i = 0; i < _free.Count; i++)
                if (_free[i].Length >= bytes && (best < 0 || _free[i].Length < _free[best].Length)) best = i;
            if (best >= 0)
            {
                var buffer = _free[best];
                _free.RemoveAt(best);
                return buffer;
            }
        }
        var rounded = (int)Math.Min(Array.MaxLength, ((long)bytes + Granularity - 1) / Granularity * Granularity);
        return GC.AllocateUninitializedArray<byte>(rounded);
    }

    /// <summary>Lets every free buffer go (to the GC).</summary>
    public void Clear()
    {
        lock (_gate) _free.Clear();
    }

    /// <summary>Takes <paramref name="buffer"/> back; past <see cref="Capacity"/> the smallest free one is let go.</summary>
    public void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (_gate)
        {
            // Twice returned, one buffer would go to two batches at once.
            if (_free.Exists(b => ReferenceEquals(b, buffer))) throw new InvalidOperationException("this buffer was returned already");
            _free.Add(buffer);
            if (_free.Count <= Capacity) return;
            var smallest = 0;
            for (var i = 1; i < _free.Count; i++)
                if (_free[i].Length < _free[smallest].Length) smallest = i;
            _free.RemoveAt(smallest);
        }
    }
}
