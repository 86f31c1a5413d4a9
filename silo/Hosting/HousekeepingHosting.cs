using Microsoft.Extensions.DependencyInjection;

namespace OrleansPathology.Silo.Hosting;

/// <summary>Orleans' own background work on a silo: what idle silos spend their CPU on (BENCHMARKS.md, issue 10).</summary>
public static class HousekeepingHosting
{
    /// <summary>
    /// Runs Orleans' membership and system timers (probes, health checks, working-set scans) on a clock whose timers
    /// never fire early (<see cref="LateTimers"/>), when the silo's clock is the system's; a test's fake clock stays.
    /// </summary>
    public static ISiloBuilder AddPathologyHousekeeping(this ISiloBuilder builder)
    {
        // Orleans 10's maintenance timers busy-wait on the clock for the rest of every period that a system timer leaves.
        foreach (var area in new[] { TimeProviderNames.Membership, TimeProviderNames.SystemTimers })
        {
            builder.Services.AddKeyedSingleton<TimeProvider>(area, (services, _) =>
                services.GetRequiredService<TimeProvider>() is var time && time == TimeProvider.System ? LateTimers.OnSystemClock : time);
        }
        return builder;
    }
}

/// <summary>
/// A clock whose timers fire <see cref="Slack"/> after their due time, so that a wait which checks the clock when woken
/// finds its deadline passed. A system timer fires up to 2 ms before it (Task.Delay truncates to whole milliseconds and
/// the timer queue counts whole milliseconds), and Orleans' timers (AsyncTimer, DelayUntilAsync) then loop on
/// Task.Delay(0) until the deadline: a spin of up to 2 ms on every tick, a fifth of 16 idle silos' CPU.
/// </summary>
public sealed class LateTimers(TimeProvider inner) : TimeProvider
{
    /// <summary>How late a timer fires: the most a system timer fires early.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(2);

    /// <summary>The system clock with late timers.</summary>
    public static LateTimers OnSystemClock { get; } = new(TimeProvider.System);

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new LateTimer(inner.CreateTimer(callback, state, Late(dueTime), period));

    private static TimeSpan Late(TimeSpan dueTime) => dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan ? dueTime + Slack : dueTime;

    private sealed class LateTimer(ITimer timer) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(Late(dueTime), period);

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
