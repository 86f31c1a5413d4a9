using Microsoft.Extensions.Logging;

namespace OrleansPathology.Grains.Dispatch;

/// <summary>What the dispatcher persists: the slides that still have work, so a restarted cluster resumes them.</summary>
[GenerateSerializer, Alias("opath.DispatcherState")]
public sealed class DispatcherState
{
    [Id(0)] public List<string> ActiveSlides { get; set; } = [];
}

/// <summary>
/// The pull side of load balancing: a worker with free capacity asks for work and gets leases from the
/// active slides in turn (round robin, so concurrent slides share the cluster). Workers only ask when
/// they can start soon, so the fastest node asks most often and no node hoards batches.
/// Reentrant: slides unregister themselves while a lease call to them may be in flight.
/// </summary>
[Reentrant]
public sealed partial class WorkDispatcherGrain(
    [PersistentState("dispatcher", PathologyGrainOptions.StorageName)] IPersistentState<DispatcherState> state,
    ILogger<WorkDispatcherGrain> logger) : Grain, IWorkDispatcherGrain
{
    private readonly StateWriteGate _writes = new();
    private int _next;

    public async Task RegisterSlideAsync(string slideKey)
    {
        if (state.State.ActiveSlides.Contains(slideKey)) return;
        state.State.ActiveSlides.Add(slideKey);
        await WriteAsync();
    }

    public async Task UnregisterSlideAsync(string slideKey)
    {
        if (!state.State.ActiveSlides.Remove(slideKey)) return;
        await WriteAsync();
    }

    public async Task<IReadOnlyList<WorkItem>> NextAsync(string worker, int max)
    {
        var slides = state.State.ActiveSlides.ToArray();
        var items = new List<WorkItem>();
        for (var i = 0; i < slides.Length && items.Count < max; i++)
        {
            var key = slides[(_next + i) % slides.Length];
            try
            {
                items.AddRange(await GrainFactory.GetGrain<ISlideGrain>(key).LeaseAsync(worker, max - items.Count));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One unreachable slide (its silo dying) must not throw away leases already granted by others.
                LogLeaseFailed(ex, key);
            }
        }
        if (slides.Length > 0) _next = (_next + 1) % slides.Length;
        return items;
    }

    private Task WriteAsync() => _writes.WriteAsync(state);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Dispatcher: leasing from {Slide} failed; trying the next slide")]
    private partial void LogLeaseFailed(Exception exception, string slide);
}

/// <summary>The dispatcher's one key.</summary>
public static class WorkDispatcher
{
    public const string Key = "default";
}
