using Orleans.Storage;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Storage faults a test arranges: the next N writes of a state that matches fail (as a database that dropped its
/// connection would), or wait until the test releases them (a slow database). Shared by the test and the silo's
/// <see cref="FaultyGrainStorage"/>, which applies them.
/// </summary>
public sealed class StorageFaults
{
    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private int _injected;

    /// <summary>Writes that failed because of a rule so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    /// <summary>
    /// The next <paramref name="times"/> writes of a <typeparamref name="T"/> state that matches fail, with
    /// <paramref name="fault"/>'s exception (by default a <see cref="TimeoutException"/>).
    /// </summary>
    public void FailWrites<T>(Func<string, T, bool> when, int times, Func<Exception>? fault = null) =>
        Add(new Rule(typeof(T), (key, state) => when(key, (T)state), times, null, fault));

    /// <summary>
    /// The next write of a <typeparamref name="T"/> state that matches waits for <paramref name="release"/> before it is
    /// stored; the task returned completes when that write has begun to wait.
    /// </summary>
    public Task HoldWrite<T>(Func<string, T, bool> when, Task release)
    {
        var rule = new Rule(typeof(T), (key, state) => when(key, (T)state), 1, release, null);
        Add(rule);
        return rule.Held.Task;
    }

    internal async Task BeforeWriteAsync<T>(string key, T state)
    {
        Rule? rule;
        lock (_lock)
        {
            rule = _rules.FirstOrDefault(r => r.Remaining > 0 && r.Type == typeof(T) && state is not null && r.When(key, state));
            if (rule is not null) rule.Remaining--;
        }
        if (rule is null) return;
        if (rule.Release is { } release)
        {
            rule.Held.TrySetResult();
            await release;
            return;
        }
        Interlocked.Increment(ref _injected);
        throw rule.Fault?.Invoke() ?? new TimeoutException($"injected storage fault writing {typeof(T).Name} of {key}");
    }

    private void Add(Rule rule)
    {
        lock (_lock) _rules.Add(rule);
    }

    private sealed class Rule(Type type, Func<string, object, bool> when, int remaining, Task? release, Func<Exception>? fault)
    {
        public Func<Exception>? Fault { get; } = fault;
        public Type Type { get; } = type;
        public Func<string, object, bool> When { get; } = when;
        public int Remaining { get; set; } = remaining;
        public Task? Release { get; } = release;
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A grain storage that applies <see cref="StorageFaults"/> before handing each write to a real (memory) storage.</summary>
public sealed class FaultyGrainStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await faults.BeforeWriteAsync(grainId.Key.ToString()!, grainState.State);
        await inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    // The inner storage takes part in the silo's lifecycle under its own name; this wrapper has nothing to start.
    public void Participate(ISiloLifecycle lifecycle)
    {
    }
}
