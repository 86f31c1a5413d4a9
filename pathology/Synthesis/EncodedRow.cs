namespace OrleansPathology.Synthesis;

/// <summary>
/// The JPEG streams of one tile row, gathered from parallel workers into one reusable arena so that a slide's
/// millions of tiles allocate nothing per tile (per-tile arrays of 30-100 KB would land on the large-object heap
/// and hold memory until a full collection). A tile that does not fit goes to its own array, and the arena grows
/// for the next row. Where a tile lies in the arena depends on thread timing; the file does not, because tiles
/// are written in tile order.
/// </summary>
internal sealed class EncodedRow
{
    private byte[] _arena;
    private int _used;
    private (int Offset, int Length)[] _slots = [];
    private byte[]?[] _overflow = [];
    private int _count;

    public EncodedRow(int initialBytes) => _arena = new byte[initialBytes];

    /// <summary>Empties the row for <paramref name="count"/> tiles; grows the arena if the last row overflowed it.</summary>
    public void Reset(int count)
    {
        if (_used > _arena.Length) _arena = new byte[_used + _used / 4];
        _used = 0;
        _count = count;
        if (_slots.Length < count)
        {
            _slots = new (int, int)[count];
            _overflow = new byte[]?[count];
        }
        Array.Clear(_overflow, 0, count);
    }

    /// <summary>Stores tile <paramref name="index"/>'s stream. Safe to call from many threads for distinct indices.</summary>
    public void Store(int index, ReadOnlySpan<byte> jpeg)
    {
        var end = Interlocked.Add(ref _used, jpeg.Length);
        var offset = end - jpeg.Length;
        if (end <= _arena.Length)
        {
            jpeg.CopyTo(_arena.AsSpan(offset));
            _slots[index] = (offset, jpeg.Length);
        }
        else
        {
            _overflow[index] = jpeg.ToArray();
        }
    }

    /// <summary>Tile <paramref name="index"/>'s stream, once every worker of the row has finished.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            if (_overflow[index] is { } own) return own;
            var (offset, length) = _slots[index];
            return _arena.AsSpan(offset, length);
        }
    }
}
