namespace OrleansPathology.Grains.Work;

/// <summary>What the directory persists: the slides that have work, so a restarted cluster finds them again.</summary>
[GenerateSerializer, Alias("opath.WorkDirectoryState")]
public sealed class WorkDirectoryState
{
    [Id(0)] public List<string> Slides { get; set; } = [];
}

/// <summary>
/// The list of slides with work. Slides add themselves once planned and remove themselves when they end; each
/// silo's <see cref="WorkSource"/> reads the list about once a second for all its workers, so this grain sees
/// a few calls per silo per second whatever the batch rate, and no lease passes through it.
/// </summary>
[Reentrant]
public sealed class WorkDirectoryGrain(
    [PersistentState("directory", PathologyGrainOptions.StorageName)] IPersistentState<WorkDirectoryState> state) : Grain, IWorkDirectoryGrain
{
    private readonly StateWriteGate _writes = new();
    private string[]? _snapshot;

    public async Task AddSlideAsync(string slideKey)
    {
        if (state.State.Slides.Contains(slideKey)) return;
        state.State.Slides.Add(slideKey);
        _snapshot = null;
        await _writes.WriteAsync(state);
    }

    public async Task RemoveSlideAsync(string slideKey)
    {
        if (!state.State.Slides.Remove(slideKey)) return;
        _snapshot = null;
        await _writes.WriteAsync(state);
    }

    public Task<string[]> GetSlidesAsync() => Task.FromResult(_snapshot ??= [.. state.State.Slides]);
}

/// <summary>The directory's one key.</summary>
public static class WorkDirectory
{
    public const string Key = "default";
}
