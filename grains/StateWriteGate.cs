namespace OrleansPathology.Grains;

/// <summary>
/// Serialises a reentrant grain's state writes: two interleaved turns writing at once would send the
/// same etag twice and the second would fail with InconsistentStateException.
/// </summary>
internal sealed class StateWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteAsync<T>(IPersistentState<T> state)
    {
        await _gate.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _gate.Release();
        }
    }
}
