namespace OrleansPathology.Client.Cluster;

/// <summary>
/// Cells per second over a sliding window of observations, and the time left at that rate. The window smooths
/// the steps that batch-wise progress makes (a dense batch finishes hundreds of cells at once).
/// </summary>
internal sealed class Throughput(TimeSpan window)
{
    /// <summary>The default window: long enough to cover several batches, short enough to follow a change of pace.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(15);

    private readonly Queue<(TimeSpan At, long Cells)> _samples = new();

    public Throughput() : this(DefaultWindow)
    {
    }

    /// <summary>Records that <paramref name="cells"/> were done at <paramref name="at"/> (time since watching began).</summary>
    public void Observe(TimeSpan at, long cells)
    {
        _samples.Enqueue((at, cells));
        // Keep one sample at or before the window's start so the rate always spans the whole window.
        while (_samples.Count > 2 && at - _samples.ElementAt(1).At >= window) _samples.Dequeue();
    }

    /// <summary>Cells per second over the window; null until two observations a moment apart exist.</summary>
    public double? CellsPerSecond
    {
        get
        {
            if (_samples.Count < 2) return null;
            var (first, last) = (_samples.Peek(), _samples.Last());
            var seconds = (last.At - first.At).TotalSeconds;
            return seconds < 0.5 ? null : Math.Max(0, last.Cells - first.Cells) / seconds;
        }
    }

    /// <summary>Time to do <paramref name="remainingCells"/> at the current rate; null when there is no rate yet or it is zero.</summary>
    public TimeSpan? Eta(long remainingCells)
    {
        if (remainingCells <= 0) return TimeSpan.Zero;
        return CellsPerSecond is > 0 and var rate ? TimeSpan.FromSeconds(Math.Min(remainingCells / rate, TimeSpan.FromDays(99).TotalSeconds)) : null;
    }

    /// <summary><c>1:05</c>, <c>1:02:05</c>, or <c>--:--</c> when unknown.</summary>
    public static string Format(TimeSpan? eta) => eta switch
    {
        null => "--:--",
        { TotalHours: >= 1 } t => $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}",
        { } t => $"{t.Minutes}:{t.Seconds:00}",
    };
}
