using System.CommandLine;
using OrleansPathology.Client.Api;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Cluster;

/// <summary>The operator's questions, asked of the overview grain through a gateway, or of the HTTP API with <c>--api</c>.</summary>
internal static class OperatorQueries
{
    public static Task<ClusterOverview> OverviewAsync(ParseResult parse, ClusterCommandLine cluster, CancellationToken token) =>
        AskAsync(parse, cluster, token, api => api.ClusterAsync(token), overview => overview.GetOverviewAsync());

    public static Task<IReadOnlyList<CohortSummary>> CohortsAsync(ParseResult parse, ClusterCommandLine cluster, int max, CancellationToken token) =>
        AskAsync<IReadOnlyList<CohortSummary>>(parse, cluster, token, async api => await api.CohortsAsync(max, token), overview => overview.ListCohortsAsync(max));

    public static Task<IReadOnlyList<TrainingSummary>> TrainingAsync(ParseResult parse, ClusterCommandLine cluster, CancellationToken token) =>
        AskAsync<IReadOnlyList<TrainingSummary>>(parse, cluster, token, async api => await api.TrainingAsync(token), overview => overview.ListTrainingAsync());

    public static async Task<TrainingStatus> TrainingStatusAsync(ParseResult parse, ClusterCommandLine cluster, string run, CancellationToken token)
    {
        if (ApiClient.From(parse) is { } api)
        {
            using (api) return await api.TrainingStatusAsync(run, token);
        }
        var target = cluster.Target(parse, new ClusterTarget(ClusterKind.Localhost));
        await using var session = await ClusterSession.ConnectAsync(target, token);
        return await session.Client.GetGrain<ITrainingCoordinatorGrain>(run).GetStatusAsync().WaitAsync(token)
            ?? throw new ArgumentException($"training run '{run}' is not on the cluster at {target}");
    }

    private static async Task<T> AskAsync<T>(ParseResult parse, ClusterCommandLine cluster, CancellationToken token,
        Func<ApiClient, Task<T>> viaApi, Func<IClusterOverviewGrain, Task<T>> viaGrain)
    {
        if (ApiClient.From(parse) is { } api)
        {
            using (api) return await viaApi(api);
        }
        var target = cluster.Target(parse, new ClusterTarget(ClusterKind.Localhost));
        await using var session = await ClusterSession.ConnectAsync(target, token);
        return await viaGrain(session.Client.GetGrain<IClusterOverviewGrain>(ClusterOverviewKey.Key)).WaitAsync(token);
    }
}
