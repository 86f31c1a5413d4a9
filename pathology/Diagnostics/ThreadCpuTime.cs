using System.Runtime.InteropServices;

namespace OrleansPathology.Diagnostics;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), so pixel work run synchronously on one
/// thread (a tissue mask, a slide's output files) can be told apart from the coordination around it.
/// </summary>
public static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>The calling thread's CPU time so far; zero where the clock is not available.</summary>
    public static TimeSpan Now()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var spec) != 0) return TimeSpan.Zero;
        return TimeSpan.FromTicks(spec.Seconds * TimeSpan.TicksPerSecond + spec.Nanoseconds / 100);
    }

    /// <summary>Runs <paramref name="work"/> on the calling thread and returns its result with the CPU time it took.</summary>
    public static (T Result, TimeSpan Cpu) Measure<T>(Func<T> work)
    {
        var start = Now();
        var result = work();
        return (result, Now() - start);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec spec);
}
