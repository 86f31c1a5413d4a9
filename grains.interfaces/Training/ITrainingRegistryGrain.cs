namespace OrleansPathology.Grains;

/// <summary>
/// The training runs still running (a single activation, key <c>default</c>, its list in grain storage), so that the
/// cluster itself can revive a run whose coordinator's silo died: every silo asks it for the active runs now and then
/// and calls each run's coordinator, which reactivates on a live silo and resumes from its last checkpoint. Coordinators
/// register when they start and unregister once their end (completed or failed) is recorded.
/// </summary>
[Alias("opath.ITrainingRegistryGrain")]
public interface ITrainingRegistryGrain : IGrainWithStringKey
{
    /// <summary>Records <paramref name="runId"/> as running (idempotent).</summary>
    [Alias("Register")]
    Task RegisterAsync(string runId);

    /// <summary>Forgets <paramref name="runId"/> (idempotent): its end is recorded in its coordinator's state.</summary>
    [Alias("Unregister")]
    Task UnregisterAsync(string runId);

    /// <summary>The ids of the runs registered and not yet unregistered, in registration order.</summary>
    [Alias("ActiveRuns")]
    Task<IReadOnlyList<string>> ActiveRunsAsync();

    /// <summary>
    /// The runs for operators to list: the ids of the runs that ended most recently (newest first, at most
    /// <paramref name="ended"/>) after those still running.
    /// </summary>
    [Alias("RecentRuns")]
    Task<IReadOnlyList<string>> RecentRunsAsync(int ended);
}
