using OrleansPathology.Diagnostics;

namespace OrleansPathology.Grains;

/// <summary>
/// Pixel work a grain runs off its turn on the thread pool (a tissue mask, a slide's output files: OpenSlide, Skia,
/// zlib), with the CPU time it took. The grain's deactivation waits for what is running, so a silo that stops never
/// ends its process under native code: the runtime's exit then tore those libraries down under the thread (exit 139).
/// </summary>
internal sealed class PixelWork
{
    private Task _running = Task.CompletedTask;

    public Task<(T Result, TimeSpan Cpu)> RunAsync<T>(Func<T> work)
    {
        var task = Task.Run(() => ThreadCpuTime.Measure(work));
        _running = task;
        return task;
    }

    /// <summary>Waits for the work running now, until <paramref name="cancellationToken"/>; its failure is its caller's to report.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (Exception)
        {
            // Failed (the caller awaiting it reports why) or the deactivation's time ran out: either way, stop waiting.
        }
    }
}
