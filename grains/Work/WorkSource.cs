using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Grains.Work;

/// <summary>
/// Where a silo's workers find work: the directory's list of slides, read at most once per
/// <see cref="WorkerOptions.DirectoryRefresh"/> and shared by every worker of the silo, and the slides themselves,
/// which a worker asks for leases directly. A slide that had nothing to lease is left alone for as long as it said,
/// so at the end of a cohort idle workers do not ask every slide on every poll. Workers with nothing to ask share one
/// wait (<see cref="WaitAsync"/>): the silo's next read of the directory, not a timer each.
/// </summary>
public sealed partial class WorkSource(
    IGrainFactory grains,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkSource> logger)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _idleUntil = new(StringComparer.Ordinal);
    private readonly Lock _nextListGate = new();
    private Task _nextList = Task.CompletedTask;
    private volatile string[] _slides = [];
    private long _refreshedAt = long.MinValue;
    private int _rotation;

    /// <summary>Up to <paramref name="max"/> leased items for <paramref name="worker"/>, from as many slides as it takes.</summary>
    public async Task<IReadOnlyList<WorkItem>> LeaseAsync(string worker, int max)
    {
        var slides = await SlidesAsync();
        if (slides.Length == 0) return [];
        var items = new List<WorkItem>();
        // Workers start at different slides, so concurrent slides share the cluster and no slide takes every request.
        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)slides.Length);
        for (var i = 0; i < slides.Length && items.Count < max; i++)
        {
            var key = slides[(start + i) % slides.Length];
            if (_idleUntil.TryGetValue(key, out var until) && until > time.GetTimestamp()) continue;
            try
            {
                var reply = await grains.GetGrain<ISlideGrain>(key).LeaseAsync(worker, max - items.Count);
                items.AddRange(reply.Items);
                if (reply.Items.Count == 0) LeaveAlone(key, reply.RetryAfter);
                else _idleUntil.TryRemove(key, out _);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One unreachable slide (its silo dying) must not cost the leases others grant: try it again later.
                LogLeaseFailed(ex, key);
                LeaveAlone(key, options.Value.PollInterval);
            }
        }
        return items;
    }

    /// <summary>
    /// How a worker that leased fewer items than it asked for waits. While some listed slide may be asked, one
    /// <see cref="WorkerOptions.PollInterval"/>. With none (no slides listed, or each left alone), until the list is
    /// read again or a slide's span ends, whichever is first; the read is shared by every waiting worker of the silo,
    /// so a silo's idle workers cost one timer and one directory call per refresh, and see a new cohort at that read.
    /// </summary>
    public Task WaitAsync(CancellationToken stop)
    {
        var now = time.GetTimestamp();
        var slides = _slides;
        var soonestAsk = long.MaxValue;
        foreach (var key in slides)
        {
            var until = _idleUntil.TryGetValue(key, out var u) ? u : 0;
            if (until <= now) return Task.Delay(options.Value.PollInterval, time, stop);
            soonestAsk = Math.Min(soonestAsk, until);
        }
        var untilRead = UntilStale(now);
        if (soonestAsk != long.MaxValue && soonestAsk - now < untilRead)
            return Task.Delay(TimeSpan.FromSeconds((soonestAsk - now) / (double)time.TimestampFrequency), time, stop);
        lock (_nextListGate)
        {
            if (_nextList.IsCompleted) _nextList = ReadListAfterAsync(untilRead);
            return _nextList.WaitAsync(stop);
        }
    }

    private async Task ReadListAfterAsync(long ticks)
    {
        if (ticks > 0) await Task.Delay(TimeSpan.FromSeconds(ticks / (double)time.TimestampFrequency), time).ConfigureAwait(false);
        await SlidesAsync(waitForRead: true).ConfigureAwait(false);
    }

    private void LeaveAlone(string slideKey, TimeSpan span) =>
        _idleUntil[slideKey] = time.GetTimestamp() + (long)(Math.Min(span.TotalSeconds, options.Value.DirectoryRefresh.TotalSeconds) * time.TimestampFrequency);

    // A worker leasing uses the current list while another reads the directory; the shared wait reads it itself.
    private async Task<string[]> SlidesAsync(bool waitForRead = false)
    {
        if (UntilStale(time.GetTimestamp()) > 0) return _slides;
        if (waitForRead) await _refreshing.WaitAsync().ConfigureAwait(false);
        else if (!await _refreshing.WaitAsync(0)) return _slides;
        try
        {
            if (UntilStale(time.GetTimestamp()) > 0) return _slides;
            var slides = await grains.GetGrain<IWorkDirectoryGrain>(WorkDirectory.Key).GetSlidesAsync();
            foreach (var gone in _idleUntil.Keys.Except(slides)) _idleUntil.TryRemove(gone, out _);
            _slides = slides;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Keep the last list and read again after a refresh, not on every worker's next call.
            LogDirectoryFailed(ex);
        }
        finally
        {
            Interlocked.Exchange(ref _refreshedAt, time.GetTimestamp());
            _refreshing.Release();
        }
        return _slides;
    }

    // Timestamp ticks until the list is due to be read again; zero or less when it is due now.
    private long UntilStale(long now)
    {
        var at = Interlocked.Read(ref _refreshedAt);
        if (at == long.MinValue) return 0;
        return at + (long)(options.Value.DirectoryRefresh.TotalSeconds * time.TimestampFrequency) - now;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Leasing from {Slide} failed; trying the next slide")]
    private partial void LogLeaseFailed(Exception exception, string slide);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Reading the work directory failed; keeping the last list")]
    private partial void LogDirectoryFailed(Exception exception);
}
