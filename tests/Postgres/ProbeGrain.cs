using Orleans.Runtime;

namespace OrleansPathology.Tests.Postgres;

/// <summary>A test-only grain whose state lives in the PostgreSQL grain storage.</summary>
[Alias("OrleansPathology.Tests.Postgres.IProbeGrain")]
public interface IProbeGrain : IGrainWithStringKey
{
    /// <summary>Stores <paramref name="note"/> and counts the write; returns the new etag.</summary>
    [Alias("Write")]
    Task<string?> WriteAsync(string note, ProbeKind kind);

    /// <summary>The stored note, write count and kind, as this activation holds them.</summary>
    [Alias("Read")]
    Task<ProbeSnapshot> ReadAsync();
}

/// <summary>An enum in the state, to show it is stored by name.</summary>
public enum ProbeKind
{
    None,
    Tumour,
    Normal,
}

/// <summary>What <see cref="IProbeGrain.ReadAsync"/> reports.</summary>
[GenerateSerializer, Immutable, Alias("OrleansPathology.Tests.Postgres.ProbeSnapshot")]
public sealed record class ProbeSnapshot(
    [property: Id(0)] string Note,
    [property: Id(1)] int Writes,
    [property: Id(2)] ProbeKind Kind,
    [property: Id(3)] string? ETag,
    [property: Id(4)] bool RecordExists);

/// <summary>The persisted state; stored as JSON by <c>GrainStateJsonSerializer</c>.</summary>
public sealed class ProbeState
{
    public string Note { get; set; } = "";
    public int Writes { get; set; }
    public ProbeKind Kind { get; set; }
}

public sealed class ProbeGrain(
    [PersistentState(ProbeGrain.StateName, TestSilo.StorageName)] IPersistentState<ProbeState> state)
    : Grain, IProbeGrain
{
    /// <summary>The state name; Orleans passes it to the storage as GrainTypeString (column grain_type).</summary>
    public const string StateName = "probe";

    public async Task<string?> WriteAsync(string note, ProbeKind kind)
    {
        state.State.Note = note;
        state.State.Kind = kind;
        state.State.Writes++;
        await state.WriteStateAsync();
        return state.Etag;
    }

    public Task<ProbeSnapshot> ReadAsync() => Task.FromResult(
        new ProbeSnapshot(state.State.Note, state.State.Writes, state.State.Kind, state.Etag, state.RecordExists));
}
