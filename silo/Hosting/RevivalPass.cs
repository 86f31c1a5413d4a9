using Microsoft.Extensions.Logging;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// A pass every silo makes once it is active and every <see cref="Interval"/> after, calling grains that must keep going
/// when no client is watching: a call to a grain whose silo died reactivates it on a live silo. Every silo runs the pass,
/// so it survives any one silo; a grain's own timer, or the registry's activation, would not.
/// </summary>
internal abstract partial class RevivalPass(TimeProvider time, ILogger logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;

    protected ILogger Logger { get; } = logger;

    protected abstract TimeSpan Interval { get; }

    /// <summary>The ids the registry lists as running.</summary>
    protected abstract Task<IReadOnlyList<string>> RunningAsync();

    /// <summary>Calls one (which reactivates it if its silo died); true when it turned out to have ended.</summary>
    protected abstract Task<bool> CallAsync(string id);

    /// <summary>Drops an ended one from the registry's running list.</summary>
    protected abstract Task DropAsync(string id);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(GetType().Name, ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        // Not awaited: a silo's start does not wait on a registry (its storage, or a dead silo's activation).
        _watch = WatchAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            // A first pass at once: a cluster started again picks up its work without waiting an interval.
            do
            {
                try
                {
                    await ReviveAsync(stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(Logger, ex, GetType().Name, Interval);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    private async Task ReviveAsync(CancellationToken stopping)
    {
        var running = await RunningAsync().WaitAsync(stopping);
        // Each on its own: one unreachable until its dead silo is declared dead does not hold up the others.
        await Task.WhenAll(running.Select(async id =>
        {
            try
            {
                if (await CallAsync(id).WaitAsync(stopping)) await DropAsync(id).WaitAsync(stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogUnreachable(Logger, ex, GetType().Name, id, Interval);
            }
        }));
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watch;
    }

    [LoggerMessage(EventId = 4322, Level = LogLevel.Warning, Message = "{Pass}: {Id} did not answer; trying again in {Interval}")]
    private static partial void LogUnreachable(ILogger logger, Exception exception, string pass, string id, TimeSpan interval);

    [LoggerMessage(EventId = 4320, Level = LogLevel.Warning, Message = "{Pass}: the pass failed; trying again in {Interval}")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string pass, TimeSpan interval);
}
