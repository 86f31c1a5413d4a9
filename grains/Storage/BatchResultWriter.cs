using System.Threading.Channels;
using Npgsql;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansPathology.Grains.Storage;

/// <summary>
/// Stores the batch results of every map on a silo in groups: results that arrive while a group is being written,
/// or within <see cref="PathologyGrainOptions.ResultGroupDelay"/> of the first, go to the store together in one
/// round trip (at most <see cref="PathologyGrainOptions.ResultGroupSize"/> a group). Each caller's task completes
/// once its batch is durable, so a result acknowledged to a worker is never lost. A group that fails for a transient
/// reason (connection lost, timeout) is retried with backoff before its callers see the error; a group the database
/// refuses is stored again result by result, so only the refused result fails, with <see cref="BatchRefusedException"/>.
/// </summary>
public sealed partial class BatchResultWriter : IAsyncDisposable
{
    private readonly IBatchResultStore _store;
    private readonly PathologyGrainOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<BatchResultWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _groups;

    public BatchResultWriter(IBatchResultStore store, IOptions<PathologyGrainOptions> options, TimeProvider time, ILogger<BatchResultWriter> logger)
    {
        (_store, _options, _time, _logger) = (store, options.Value, time, logger);
        _loop = Task.Run(WriteGroupsAsync);
    }

    /// <summary>Round trips to the store so far (one per group).</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Stores a batch with the next group; true when it is new, false when it was stored before.</summary>
    public Task<bool> AddAsync(string slideKey, int batchIndex, BatchCells cells)
    {
        var pending = new Pending(new StoredBatch(slideKey, batchIndex, cells), new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(BatchResultWriter));
        return pending.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task WriteGroupsAsync()
    {
        var group = new List<Pending>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_options.ResultGroupDelay > TimeSpan.Zero)
                await Task.Delay(_options.ResultGroupDelay, _time).ConfigureAwait(false);
            while (group.Count < _options.ResultGroupSize && _queue.Reader.TryRead(out var next)) group.Add(next);
            await WriteAsync(group).ConfigureAwait(false);
            group.Clear();
        }
    }

    private async Task WriteAsync(List<Pending> group)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                Interlocked.Increment(ref _groups);
                var added = await _store.TryAddManyAsync(group.Select(p => p.Batch).ToArray()).ConfigureAwait(false);
                for (var i = 0; i < group.Count; i++) group[i].Done.TrySetResult(added[i]);
                return;
            }
            catch (Exception ex) when (attempt < _options.ResultStoreAttempts && IsTransient(ex))
            {
                var wait = TimeSpan.FromMilliseconds(100 * (1 << (attempt - 1)));
                LogGroupRetry(ex, group.Count, attempt, wait.TotalMilliseconds);
                await Task.Delay(wait, _time).ConfigureAwait(false);
            }
            catch (Exception ex) when (!IsTransient(ex) && group.Count > 1)
            {
                // One refused row fails the whole statement: store each alone, so only the refused batch fails.
                LogGroupSplit(ex, group.Count);
                foreach (var pending in group) await WriteAsync([pending]).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                LogGroupFailed(ex, group.Count, attempt);
                Exception failure = IsTransient(ex) ? ex : new BatchRefusedException(ex.Message);
                foreach (var pending in group) pending.Done.TrySetException(failure);
                return;
            }
        }
    }

    // A lost connection or a timeout may pass; a value the database refuses (too long, say) is refused again.
    private static bool IsTransient(Exception ex) =>
        ex is NpgsqlException { IsTransient: true } or TimeoutException or IOException || ex is NpgsqlException and not PostgresException;

    private sealed record Pending(StoredBatch Batch, TaskCompletionSource<bool> Done);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Storing a group of {Count} batch results failed (attempt {Attempt}); retrying in {WaitMs} ms")]
    private partial void LogGroupRetry(Exception exception, int count, int attempt, double waitMs);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "The database refused a group of {Count} batch results; storing them one by one")]
    private partial void LogGroupSplit(Exception exception, int count);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Storing a group of {Count} batch results failed after {Attempt} attempts")]
    private partial void LogGroupFailed(Exception exception, int count, int attempt);
}

/// <summary>The store refused a batch for a reason that does not pass (a value too long for its column, say).</summary>
public sealed class BatchRefusedException(string message) : Exception(message);
