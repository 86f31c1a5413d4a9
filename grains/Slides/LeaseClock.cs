namespace OrleansPathology.Grains.Slides;

/// <summary>
/// The clock slide grains time leases by: the system clock, or a controlled one in tests (registered in place of this
/// default), without handing Orleans' own timers a clock that does not move.
/// </summary>
public sealed class LeaseClock(TimeProvider time)
{
    public static LeaseClock System { get; } = new(TimeProvider.System);

    public TimeProvider Time { get; } = time;
}
