namespace OrleansPathology.Grains.Workers;

/// <summary>
/// Cells per second over the last <see cref="Window"/>: the cells of the batches finished in the window, over the window
/// (or over the time since the first batch, when that is shorter, so a worker that just began does not read slow).
/// </summary>
public sealed class RecentRate(TimeProvider time)
{
    /// <summary>The window the rate is taken over.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Queue<(long At, long Cells)> _finished = new();
    private long? _firstAt;

    /// <summary>A batch of <paramref name="cells"/> finished now.</summary>
    public void Add(long cells)
    {
        var now = time.GetTimestamp();
        _firstAt ??= now;
        _finished.Enqueue((now, cells));
        Trim(now);
    }

    /// <summary>Cells per second over the window, 0 before any batch.</summary>
    public double CellsPerSecond()
    {
        if (_firstAt is not { } first) return 0;
        var now = time.GetTimestamp();
        Trim(now);
        var span = Math.Min(Window.TotalSeconds, time.GetElapsedTime(first, now).TotalSeconds);
        // A single batch just finished says little about a rate; one second is the shortest span taken.
        return _finished.Sum(f => f.Cells) / Math.Max(1, span);
    }

    private void Trim(long now)
    {
        while (_finished.TryPeek(out var oldest) && time.GetElapsedTime(oldest.At, now) > Window) _finished.Dequeue();
    }
}
