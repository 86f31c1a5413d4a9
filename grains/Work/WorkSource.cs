using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains.Workers;

namespace OrleansPathology.Grains.Work;

/// <summary>
/// Where a silo's workers find work: the directory's list of slides, read at most once per
/// <see cref="WorkerOptions.DirectoryRefresh"/> and shared by every worker of the silo, and the slides themselves,
/// which a worker asks for leases directly. A slide that had nothing to lease is left alone for as long as it said,
/// so at the end of a cohort idle workers do not ask every slide on every poll.
/// </summary>
public sealed partial class WorkSource(
    IGrainFactory grains,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILogger<WorkSource> logger)
{
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _idleUntil = new(StringComparer.Ordinal);
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

    private void LeaveAlone(string slideKey, TimeSpan span) =>
        _idleUntil[slideKey] = time.GetTimestamp() + (long)(Math.Min(span.TotalSeconds, options.Value.DirectoryRefresh.TotalSeconds) * time.TimestampFrequency);

    private async Task<string[]> SlidesAsync()
    {
        if (!IsStale()) return _slides;
        if (!await _refreshing.WaitAsync(0)) return _slides; // another worker is refreshing: use the current list
        try
        {
            var slides = await grains.GetGrain<IWorkDirectoryGrain>(WorkDirectory.Key).GetSlidesAsync();
            foreach (var gone in _idleUntil.Keys.Except(slides)) _idleUntil.TryRemove(gone, out _);
            _slides = slides;
            Interlocked.Exchange(ref _refreshedAt, time.GetTimestamp());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDirectoryFailed(ex);
        }
        finally
        {
            _refreshing.Release();
        }
        return _slides;
    }

    private bool IsStale()
    {
        var at = Interlocked.Read(ref _refreshedAt);
        return at == long.MinValue || time.GetElapsedTime(at) >= options.Value.DirectoryRefresh;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Leasing from {Slide} failed; trying the next slide")]
    private partial void LogLeaseFailed(Exception exception, string slide);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Reading the work directory failed; keeping the last list")]
    private partial void LogDirectoryFailed(Exception exception);
}
