using Orleans.Storage;

namespace OrleansPathology.Grains;

/// <summary>
/// Serialises a reentrant grain's state writes: two interleaved turns writing at once would send the
/// same etag twice and the second would fail with InconsistentStateException. A write that fails for another reason
/// (a storage hiccup: a dropped connection, a database restarting) is tried again with backoff before it fails its caller.
/// </summary>
internal sealed class StateWriteGate(int attempts = StateWriteGate.DefaultAttempts, TimeSpan? firstBackoff = null)
{
    /// <summary>Attempts per write: with 0.2 s doubling, about 3 s of storage outage is ridden out.</summary>
    public const int DefaultAttempts = 5;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _firstBackoff = firstBackoff ?? TimeSpan.FromMilliseconds(200);

    public async Task WriteAsync<T>(IPersistentState<T> state)
    {
        await _gate.WaitAsync();
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await state.WriteStateAsync();
                    return;
                }
                // Another activation wrote meanwhile: writing again would fail the same way.
                catch (Exception ex) when (attempt < attempts && ex is not InconsistentStateException and not OperationCanceledException)
                {
                    await Task.Delay(_firstBackoff * (1 << (attempt - 1)));
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
