using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Cluster;

/// <summary>
/// Orleans' maintenance timers (membership probes, health checks, working-set scans) run on a clock whose timers never
/// fire before their due time: on the system clock they wake up to 2 ms early and Orleans then spins until the deadline.
/// </summary>
public sealed class HousekeepingTests
{
    [Fact]
    public void A_silo_runs_Orleans_membership_and_system_timers_on_late_timers_and_everything_else_on_the_system_clock()
    {
        using var host = BuildSilo();
        var services = host.Services;
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.IsType<LateTimers>(services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Membership));
        Assert.IsType<LateTimers>(services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.SystemTimers));
        // The other areas (grain timers, messaging) keep the silo's clock.
        Assert.Same(TimeProvider.System, services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Grains));
    }

    [Fact]
    public void A_silo_on_another_clock_keeps_it_for_its_maintenance_timers()
    {
        var clock = new FakeTimeProvider();
        using var host = BuildSilo(clock);
        Assert.Same(clock, host.Services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.Membership));
        Assert.Same(clock, host.Services.GetRequiredKeyedService<TimeProvider>(TimeProviderNames.SystemTimers));
    }

    [Fact]
    public void A_late_timer_fires_its_slack_after_its_due_time_and_again_each_period()
    {
        var clock = new FakeTimeProvider();
        var late = new LateTimers(clock);
        var fired = 0;
        using var timer = late.CreateTimer(_ => fired++, null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, fired);
        clock.Advance(LateTimers.Slack);
        Assert.Equal(1, fired);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, fired);

        // Changed: the new due time is late by the same slack; infinite stays infinite.
        timer.Change(TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(2, fired);
        clock.Advance(LateTimers.Slack);
        Assert.Equal(3, fired);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, fired);
    }

    [Fact]
    public void A_delay_on_late_timers_ends_after_its_deadline_and_a_zero_delay_at_once()
    {
        var clock = new FakeTimeProvider();
        var late = new LateTimers(clock);
        var due = clock.GetUtcNow() + TimeSpan.FromMilliseconds(100);
        var delay = Task.Delay(TimeSpan.FromMilliseconds(100), late);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(delay.IsCompleted);
        clock.Advance(LateTimers.Slack);
        Assert.True(delay.IsCompleted);
        Assert.True(late.GetUtcNow() > due);
        Assert.True(Task.Delay(TimeSpan.Zero, late).IsCompleted);
    }

    private static IHost BuildSilo(TimeProvider? clock = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.AddPathologySilo();
        if (clock is not null) builder.Services.AddSingleton(clock);
        return builder.Build();
    }
}
