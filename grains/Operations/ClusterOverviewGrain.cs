using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Runtime.MembershipService.SiloMetadata;
using SiloMetadataValues = Orleans.Runtime.MembershipService.SiloMetadata.SiloMetadata;
using OrleansPathology.Grains.Training;
using OrleansPathology.Grains.Work;

namespace OrleansPathology.Grains.Operations;

/// <summary>
/// Gathers <see cref="ClusterOverview"/> from the grains that own each part, calling them in parallel, each call bounded
/// by <see cref="CallTimeout"/> so that one silo dying leaves a gap (named in <see cref="ClusterOverview.Unreachable"/>)
/// rather than a stalled answer. Workflow only: the summaries are the records' own.
/// </summary>
[StatelessWorker]
public sealed partial class ClusterOverviewGrain(
    ISiloMetadataCache metadata,
    ILocalSiloDetails local,
    IOptions<SiloMetadataValues> localMetadata,
    TimeProvider time,
    ILogger<ClusterOverviewGrain> logger) : Grain, IClusterOverviewGrain
{
    /// <summary>The longest any one grain may take to answer for the overview.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Cohorts the overview lists (newest first); <c>opath cohorts</c> may ask for more.</summary>
    public const int OverviewCohorts = 20;

    /// <summary>Ended training runs listed after the running ones.</summary>
    public const int EndedRunsListed = 20;

    public async Task<ClusterOverview> GetOverviewAsync()
    {
        var unreachable = new List<string>();
        var silos = await SilosAsync();
        var workerKeys = silos.Where(s => s.Status == "Active")
            .SelectMany(s => s.Devices.Select(d => Devices.DeviceKeys.Format(s.Name, d))).Order(StringComparer.Ordinal).ToList();
        var workers = AskAllAsync(workerKeys, key => GrainFactory.GetGrain<IInferenceWorkerGrain>(key).GetStatusAsync(), unreachable);
        var cohorts = ListCohortsAsync(OverviewCohorts, unreachable);
        var training = ListTrainingAsync(unreachable);
        var pending = PendingAsync(unreachable);
        await Task.WhenAll(workers, cohorts, training, pending);
        return new ClusterOverview(time.GetUtcNow(), silos, await workers, await cohorts, await training, await pending, [.. unreachable]);
    }

    public Task<IReadOnlyList<CohortSummary>> ListCohortsAsync(int max) => ListCohortsAsync(max, []);

    public Task<IReadOnlyList<TrainingSummary>> ListTrainingAsync() => ListTrainingAsync([]);

    public Task<PendingWork> GetPendingWorkAsync() => PendingAsync([]);

    private async Task<IReadOnlyList<SiloView>> SilosAsync()
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
        var now = time.GetUtcNow();
        return hosts.Where(h => h.Status != SiloStatus.Dead)
            .Select(h =>
            {
                var values = metadata.GetSiloMetadata(h.SiloAddress).Metadata;
                // The cache may not know this silo itself yet: its own published metadata does.
                if (!values.ContainsKey(SiloMetadataKeys.SiloName) && h.SiloAddress.Equals(local.SiloAddress)) values = localMetadata.Value.Metadata;
                var devices = values.TryGetValue(SiloMetadataKeys.Devices, out var list)
                    ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                var started = new DateTimeOffset(DateTime.SpecifyKind(h.StartTime, DateTimeKind.Utc));
                // The name its workers' keys carry (its metadata), else Orleans' own name for it.
                return new SiloView(values.GetValueOrDefault(SiloMetadataKeys.SiloName) ?? h.SiloName, h.SiloAddress.ToString(),
                    h.Status.ToString(), started, Math.Max(0, (now - started).TotalSeconds), devices, h.HostName);
            })
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<CohortSummary>> ListCohortsAsync(int max, List<string> unreachable)
    {
        var ids = await GrainFactory.GetGrain<ICohortRegistryGrain>(CohortRegistry.Key).RecentAsync(max);
        var statuses = await AskAllAsync(ids, id => GrainFactory.GetGrain<ICohortGrain>(id).GetStatusAsync(), unreachable);
        return statuses.OfType<CohortStatus>().Select(CohortSummary.Of).ToList();
    }

    private async Task<IReadOnlyList<TrainingSummary>> ListTrainingAsync(List<string> unreachable)
    {
        var ids = await GrainFactory.GetGrain<ITrainingRegistryGrain>(TrainingRegistry.Key).RecentRunsAsync(EndedRunsListed);
        var statuses = await AskAllAsync(ids, id => GrainFactory.GetGrain<ITrainingCoordinatorGrain>(id).GetStatusAsync(), unreachable);
        return statuses.OfType<TrainingStatus>().Select(TrainingSummary.Of).ToList();
    }

    private async Task<PendingWork> PendingAsync(List<string> unreachable)
    {
        var slides = await GrainFactory.GetGrain<IWorkDirectoryGrain>(WorkDirectory.Key).GetSlidesAsync();
        var progress = await AskAllAsync(slides, key => GrainFactory.GetGrain<ISlideGrain>(key).GetProgressAsync(), unreachable);
        var running = progress.Where(p => p.State == RunState.Running).ToList();
        return new PendingWork(
            running.Sum(p => Math.Max(0, p.CellsTotal - p.CellsDone)),
            running.Sum(p => (long)Math.Max(0, p.BatchesTotal - p.BatchesDone)),
            running.Count);
    }

    // Each answer or nothing: a grain that fails or is slower than CallTimeout is named in unreachable.
    private async Task<IReadOnlyList<T>> AskAllAsync<T>(IEnumerable<string> keys, Func<string, Task<T>> ask, List<string> unreachable)
    {
        var asked = keys.Select(async key =>
        {
            try
            {
                return (Ok: true, Value: await ask(key).WaitAsync(CallTimeout));
            }
            catch (Exception ex)
            {
                LogUnreachable(ex, key);
                lock (unreachable) unreachable.Add($"{key}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                return (Ok: false, Value: default(T)!);
            }
        }).ToList();
        var answers = await Task.WhenAll(asked);
        return [.. answers.Where(a => a.Ok).Select(a => a.Value)];
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Cluster overview: {Key} did not answer")]
    private partial void LogUnreachable(Exception exception, string key);
}
