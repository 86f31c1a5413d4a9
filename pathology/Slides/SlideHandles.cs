using OrleansPathology.Slides;

namespace OrleansPathology.Slides;

/// <summary>
/// The slides a silo keeps open for its workers, least recently used closed first. A handle is leased
/// while a batch reads from it (OpenSlide handles are thread-safe) and closed only once no lease holds it,
/// so evicting a slide never pulls it from under a reader.
/// </summary>
public sealed class SlideHandles(int capacity) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Entry> _recent = new(); // most recently used first
    private readonly Dictionary<string, LinkedListNode<Entry>> _byPath = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Slides open now (for tests and status).</summary>
    public int Count
    {
        get { lock (_lock) return _byPath.Count; }
    }

    /// <summary>Leases the slide at <paramref name="path"/>, opening it when it is not open; dispose the lease when done reading.</summary>
    public Lease Open(string path)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_byPath.TryGetValue(path, out var node)) return Use(node);
        }

        // Opening reads the slide's header from (possibly shared, slow) storage: not under the lock.
        var slide = Slide.Open(path);
        lock (_lock)
        {
            if (_disposed || _byPath.ContainsKey(path))
            {
                slide.Dispose();
                ObjectDisposedException.ThrowIf(_disposed, this);
                return Use(_byPath[path]);
            }
            var node = _recent.AddFirst(new Entry(path, slide));
            _byPath[path] = node;
            var lease = Use(node);
            while (_byPath.Count > capacity) Evict(_recent.Last!);
            return lease;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            while (_recent.Last is { } last) Evict(last);
        }
    }

    private Lease Use(LinkedListNode<Entry> node)
    {
        if (node != _recent.First)
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
        }
        node.Value.Users++;
        return new Lease(this, node.Value);
    }

    private void Evict(LinkedListNode<Entry> node)
    {
        _recent.Remove(node);
        _byPath.Remove(node.Value.Path);
        node.Value.Evicted = true;
        if (node.Value.Users == 0) node.Value.Slide.Dispose();
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Users--;
            if (entry.Evicted && entry.Users == 0) entry.Slide.Dispose();
        }
    }

    internal sealed class Entry(string path, Slide slide)
    {
        public string Path { get; } = path;
        public Slide Slide { get; } = slide;
        public int Users { get; set; }
        public bool Evicted { get; set; }
    }

    /// <summary>A slide in use; the slide stays open until every lease on it is disposed.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly SlideHandles _owner;
        private readonly Entry _entry;
        private int _released;

        internal Lease(SlideHandles owner, Entry entry)
        {
            _owner = owner;
            _entry = entry;
        }

        public Slide Slide => _entry.Slide;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_entry);
        }
    }
}
