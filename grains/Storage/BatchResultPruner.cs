using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansPathology.Grains.Storage;

/// <summary>
/// Deletes batch results older than <see cref="PathologyGrainOptions.BatchResultRetention"/> every
/// <paramref name="interval"/> (an hour in a silo), so <c>opath_batch_results</c> does not grow for ever. Every silo
/// runs one; the deletes are idempotent. A failed pass (the database restarting) is logged and tried at the next.
/// </summary>
public sealed partial class BatchResultPruner(
    PostgresBatchResultStore store,
    IOptions<PathologyGrainOptions> options,
    TimeProvider time,
    ILogger<BatchResultPruner> logger,
    TimeSpan? interval = null) : BackgroundService
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retention = options.Value.BatchResultRetention;
        if (retention <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(interval ?? DefaultInterval, time);
        do
        {
            try
            {
                var deleted = await store.PruneAsync(retention, stoppingToken);
                if (deleted > 0) LogPruned(deleted, retention);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPruneFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Deleted {Rows} batch results stored more than {Retention} ago")]
    private partial void LogPruned(int rows, TimeSpan retention);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Deleting old batch results failed; trying again at the next pass")]
    private partial void LogPruneFailed(Exception exception);
}
