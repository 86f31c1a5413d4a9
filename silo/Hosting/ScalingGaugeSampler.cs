using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Inference;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Feeds the scaling gauges every <see cref="Interval"/>: each silo its own devices' utilisation (busy seconds over the
/// last minute, from the batch scorer), and one silo, the active member with the lowest address, the work waiting
/// cluster-wide (<see cref="IClusterOverviewGrain.GetPendingWorkAsync"/>). Every other silo reports no pending value,
/// so <c>sum(opath_work_pending_cells)</c> over pods counts the work once (and <c>max</c> reads the same).
/// </summary>
public sealed partial class ScalingGaugeSampler(
    IGrainFactory grains,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    BatchScorer scorer,
    IOptions<WorkerOptions> workers,
    PathologyMetrics metrics,
    TimeProvider time,
    ILogger<ScalingGaugeSampler> logger) : BackgroundService
{
    /// <summary>How often the gauges are refreshed; a scrape reads the latest values.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, Queue<(long At, double Busy)>> _busy = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            metrics.ReportUtilization(SampleUtilization());
            try
            {
                metrics.ReportPendingWork(IsReporter() ? await grains.GetGrain<IClusterOverviewGrain>(ClusterOverviewKey.Key).GetPendingWorkAsync() : null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A silo still joining, or a cluster losing a member: the last values stand until the next sample.
                LogPendingFailed(ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Whether this silo reports the cluster-wide gauges: the active member with the lowest address.</summary>
    public bool IsReporter()
    {
        var first = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress).OrderBy(a => a.ToParsableString(), StringComparer.Ordinal).FirstOrDefault();
        return first is not null && first.Equals(local.SiloAddress);
    }

    private Dictionary<string, double> SampleUtilization()
    {
        var now = time.GetTimestamp();
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var device in workers.Value.Devices)
        {
            if (!_busy.TryGetValue(device, out var samples)) _busy[device] = samples = new();
            samples.Enqueue((now, scorer.BusyOf(device).TotalSeconds));
            while (samples.Count > 1 && time.GetElapsedTime(samples.Peek().At, now) > RecentRate.Window) samples.Dequeue();
            var (oldestAt, oldestBusy) = samples.Peek();
            var span = time.GetElapsedTime(oldestAt, now).TotalSeconds;
            shares[device] = span <= 0 ? 0 : (samples.Last().Busy - oldestBusy) / span;
        }
        return shares;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Debug, Message = "Scaling gauges: the pending work could not be gathered")]
    private partial void LogPendingFailed(Exception exception);
}
