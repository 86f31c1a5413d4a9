namespace OrleansPathology.Grains.Training;

/// <summary>What the training registry persists: the runs whose coordinators have not recorded an end, and the latest ended.</summary>
[GenerateSerializer, Alias("opath.TrainingRegistryState")]
public sealed class TrainingRegistryState
{
    [Id(0)] public List<string> ActiveRuns { get; set; } = [];

    /// <summary>Runs that ended, oldest first, at most <see cref="TrainingRegistryGrain.EndedKept"/>.</summary>
    [Id(1)] public List<string> EndedRuns { get; set; } = [];
}

/// <summary>
/// The cluster's list of running training runs, for <c>TrainingRevival</c> on every silo (as the work directory's list
/// of active slides is for the inference workers). Reentrant: a coordinator may register while a silo reads the list.
/// </summary>
[Reentrant]
public sealed class TrainingRegistryGrain(
    [PersistentState("training-registry", PathologyGrainOptions.StorageName)] IPersistentState<TrainingRegistryState> state)
    : Grain, ITrainingRegistryGrain
{
    /// <summary>Ended runs remembered for listing; their state stays in their coordinators either way.</summary>
    public const int EndedKept = 200;

    private readonly StateWriteGate _writes = new();

    public async Task RegisterAsync(string runId)
    {
        if (state.State.ActiveRuns.Contains(runId)) return;
        state.State.ActiveRuns.Add(runId);
        await _writes.WriteAsync(state);
    }

    public async Task UnregisterAsync(string runId)
    {
        if (!state.State.ActiveRuns.Remove(runId)) return;
        state.State.EndedRuns.Remove(runId);
        state.State.EndedRuns.Add(runId);
        if (state.State.EndedRuns.Count > EndedKept) state.State.EndedRuns.RemoveRange(0, state.State.EndedRuns.Count - EndedKept);
        await _writes.WriteAsync(state);
    }

    public Task<IReadOnlyList<string>> RecentRunsAsync(int ended) => Task.FromResult<IReadOnlyList<string>>(
        [.. state.State.ActiveRuns.AsEnumerable().Reverse(), .. state.State.EndedRuns.AsEnumerable().Reverse().Take(Math.Max(0, ended))]);

    public Task<IReadOnlyList<string>> ActiveRunsAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.ActiveRuns.ToList());
}

/// <summary>The training registry's one key.</summary>
public static class TrainingRegistry
{
    public const string Key = "default";
}
