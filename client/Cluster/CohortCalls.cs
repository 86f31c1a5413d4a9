using System.CommandLine;
using OrleansPathology.Client.Api;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// Where the cohort commands send their calls: a cluster (embedded, or through a gateway), or with <c>--api URL</c> a
/// silo's HTTP API. The commands print the same either way.
/// </summary>
internal sealed class CohortSource : IAsyncDisposable
{
    private readonly ClusterSession? _session;
    private readonly ApiClient? _api;

    private CohortSource(ClusterSession? session, ApiClient? api) => (_session, _api) = (session, api);

    /// <summary>Whether the cluster is this process (it stops, and its cohorts with it, when the command ends).</summary>
    public bool IsEmbedded => _session?.Target.Kind == ClusterKind.Embedded;

    /// <summary>Where the calls go, for messages: the cluster target or the API's URL.</summary>
    public string Where => _api is not null ? _api.Url.ToString() : _session!.Target.ToString();

    /// <summary>The arguments that reach this source again in a follow-up command (never a secret).</summary>
    public string Arguments => _api is not null ? $" --api {_api.Url.ToString().TrimEnd('/')}" : Commands.SubmitCommand.ClusterArguments(_session!.Target);

    /// <summary>Whether <paramref name="parse"/> names <c>--api</c>.</summary>
    public static bool ViaApi(ParseResult parse) => parse.GetValue(ApiClient.Option) is { Length: > 0 };

    public static async Task<CohortSource> OpenAsync(ParseResult parse, ClusterCommandLine cluster, CancellationToken token, ClusterTarget? whenAbsent = null)
    {
        if (ApiClient.From(parse) is { } api) return new CohortSource(null, api);
        var target = cluster.Target(parse, whenAbsent ?? new ClusterTarget(ClusterKind.Localhost));
        return new CohortSource(await ClusterSession.OpenAsync(target, token), null);
    }

    public async Task<CohortStatus> SubmitAsync(CohortSpec spec, CancellationToken token) =>
        _api is not null ? await _api.SubmitAsync(spec, token) : await _session!.SubmitAsync(spec, token);

    public async Task<CohortStatus> StatusAsync(string cohortId, CancellationToken token) =>
        _api is not null ? await _api.StatusAsync(cohortId, token) : await _session!.StatusAsync(cohortId, token);

    public async Task<CohortStatus> CancelAsync(string cohortId, CancellationToken token) =>
        _api is not null ? await _api.CancelAsync(cohortId, token)
            : await _session!.Cohort(cohortId).CancelAsync().WaitAsync(token) ?? throw _session.NotFound(cohortId);

    /// <summary>The status and each slide's outputs: found by the silo that answers (API) or on this machine (gateway).</summary>
    public async Task<(CohortStatus Status, CohortResults Results)> ResultsAsync(string cohortId, CancellationToken token)
    {
        var status = await StatusAsync(cohortId, token);
        if (_api is null) return (status, CohortReport.Results(status));
        var outputs = await _api.ResultsAsync(cohortId, token);
        return (status, new CohortResults(outputs.CohortId, outputs.State, outputs.SubmittedAt, outputs.FinishedAt,
            [.. outputs.Slides.Select(s => new SlideResult(s.SlideId, s.State, s.OutputDirectory, s.Map, s.Heatmap, s.LesionsCsv, s.Lesions,
                s.CellsDone, s.CellsTotal, s.Error))]));
    }

    /// <summary>What a watcher polls.</summary>
    public Func<Task<CohortStatus?>> Poll(string cohortId, CancellationToken token) => _api is not null
        ? async () => await _api.StatusAsync(cohortId, token)
        : () => _session!.Cohort(cohortId).GetStatusAsync();

    public async ValueTask DisposeAsync()
    {
        _api?.Dispose();
        if (_session is not null) await _session.DisposeAsync();
    }
}

/// <summary>One-call helpers for the commands that open a source, ask once and close it.</summary>
internal static class CohortCalls
{
    public static async Task<CohortStatus> StatusAsync(ParseResult parse, ClusterCommandLine cluster, string id, CancellationToken token)
    {
        await using var source = await CohortSource.OpenAsync(parse, cluster, token);
        return await source.StatusAsync(id, token);
    }

    public static async Task<CohortStatus> CancelAsync(ParseResult parse, ClusterCommandLine cluster, string id, CancellationToken token)
    {
        await using var source = await CohortSource.OpenAsync(parse, cluster, token);
        return await source.CancelAsync(id, token);
    }

    public static async Task<(CohortStatus Status, CohortResults Results)> ResultsAsync(ParseResult parse, ClusterCommandLine cluster, string id, CancellationToken token)
    {
        await using var source = await CohortSource.OpenAsync(parse, cluster, token);
        return await source.ResultsAsync(id, token);
    }

    public static Task<CohortSource> OpenAsync(ParseResult parse, ClusterCommandLine cluster, CancellationToken token) =>
        CohortSource.OpenAsync(parse, cluster, token);
}
