namespace OrleansPathology.Slides;

/// <summary>
/// Decoded RGB tiles, least recently used first out, bounded in bytes. Tiles are never changed once added
/// and evicted arrays are left to the collector rather than reused, so a reader may copy from a tile
/// while another thread evicts it.
/// </summary>
internal sealed class DecodedTileCache(long capacityBytes)
{
    private readonly object _gate = new();
    private readonly Dictionary<long, LinkedListNode<(long Key, byte[] Rgb)>> _index = [];
    private readonly LinkedList<(long Key, byte[] Rgb)> _order = new();
    private long _bytes;

    public long CapacityBytes { get; } = Math.Max(0, capacityBytes);

    public long Bytes
    {
        get { lock (_gate) return _bytes; }
    }

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public static long KeyOf(int level, long tile) => ((long)level << 48) | tile;

    public byte[]? Get(long key)
    {
        lock (_gate)
        {
            if (!_index.TryGetValue(key, out var node))
            {
                Misses++;
                return null;
            }
            Hits++;
            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Rgb;
        }
    }

    public void Add(long key, byte[] rgb)
    {
        if (rgb.Length > CapacityBytes) return;
        lock (_gate)
        {
            if (_index.ContainsKey(key)) return; // another thread decoded it too: keep the first
            _index[key] = _order.AddFirst((key, rgb));
            _bytes += rgb.Length;
            while (_bytes > CapacityBytes && _order.Last is { } oldest)
            {
                _order.RemoveLast();
                _index.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Rgb.Length;
            }
        }
    }
}
