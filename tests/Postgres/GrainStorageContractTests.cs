using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Tests.Postgres;

/// <summary>
/// Orleans' ADO.NET grain storage, taken from a running silo, against the PostgreSQL queries in
/// silo/Sql/0003-orleans-persistence.sql: every grain key kind, etags, clear and delete.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class GrainStorageContractTests(PostgresServerFixture server)
{
    /// <summary>A state name of its own per test, since the tests share one database.</summary>
    private readonly string _stateName = $"contract-{Guid.NewGuid():N}";

    [Fact]
    public async Task WriteThenRead_RoundTripsEveryKindOfGrainKey_EachToItsOwnRow()
    {
        var silo = await server.SharedSiloAsync();
        var storage = Storage(silo, TestSilo.StorageName);
        var guid = Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        var keys = new Dictionary<string, IdSpan>
        {
            ["string"] = IdSpan.Create("slide tumour_001 ü"),
            ["integer"] = GrainIdKeyExtensions.CreateIntegerKey(42),
            ["integer+ext"] = GrainIdKeyExtensions.CreateIntegerKey(42, "level-0"),
            ["guid"] = GrainIdKeyExtensions.CreateGuidKey(guid),
            ["guid+ext"] = GrainIdKeyExtensions.CreateGuidKey(guid, "level-0"),
        };

        foreach (var (kind, key) in keys)
        {
            var state = new GrainState<ProbeState>(new ProbeState { Note = kind, Writes = 1, Kind = ProbeKind.Normal });
            await storage.WriteStateAsync(_stateName, Id(key), state);
            Assert.Equal("1", state.ETag);
        }

        foreach (var (kind, key) in keys)
        {
            var read = new GrainState<ProbeState>(new ProbeState());
            await storage.ReadStateAsync(_stateName, Id(key), read);
            Assert.Equal((kind, ProbeKind.Normal, "1", true), (read.State!.Note, read.State.Kind, read.ETag, read.RecordExists));
        }
        Assert.Equal(keys.Count, await ScalarAsync<long>(silo,
            "SELECT count(*) FROM orleans_grain_state WHERE grain_type = @stateName"));
    }

    [Fact]
    public async Task Read_OfAGrainNeverWritten_GivesAFreshStateWithoutEtag()
    {
        var storage = Storage(await server.SharedSiloAsync(), TestSilo.StorageName);
        var read = new GrainState<ProbeState>(new ProbeState { Note = "left over" });

        await storage.ReadStateAsync(_stateName, Id(IdSpan.Create("never-written")), read);

        Assert.Equal(("", null, false), (read.State!.Note, read.ETag, read.RecordExists));
    }

    [Fact]
    public async Task Write_WithAStaleEtag_ThrowsInconsistentStateException()
    {
        var storage = Storage(await server.SharedSiloAsync(), TestSilo.StorageName);
        var id = Id(IdSpan.Create("stale-writer"));
        var first = new GrainState<ProbeState>(new ProbeState { Note = "first" });
        await storage.WriteStateAsync(_stateName, id, first);
        var stale = new GrainState<ProbeState>(new ProbeState { Note = "stale" }, first.ETag);
        await storage.WriteStateAsync(_stateName, id, first);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(_stateName, id, stale));
        // A writer that never read the row may not overwrite it either.
        await Assert.ThrowsAsync<InconsistentStateException>(() =>
            storage.WriteStateAsync(_stateName, id, new GrainState<ProbeState>(new ProbeState { Note = "blind" })));

        var read = new GrainState<ProbeState>(new ProbeState());
        await storage.ReadStateAsync(_stateName, id, read);
        Assert.Equal(("first", "2"), (read.State!.Note, read.ETag));
    }

    [Fact]
    public async Task Clear_KeepsAnEmptyRowWithANewVersion_SoThatAStaleWriterStillConflicts()
    {
        var silo = await server.SharedSiloAsync();
        var storage = Storage(silo, TestSilo.StorageName);
        var id = Id(IdSpan.Create("cleared"));
        var state = new GrainState<ProbeState>(new ProbeState { Note = "to clear" });
        await storage.WriteStateAsync(_stateName, id, state);
        var stale = new GrainState<ProbeState>(new ProbeState { Note = "stale" }, state.ETag);

        await storage.ClearStateAsync(_stateName, id, state);

        Assert.Equal(("2", false), (state.ETag, state.RecordExists));
        var read = new GrainState<ProbeState>(new ProbeState { Note = "left over" });
        await storage.ReadStateAsync(_stateName, id, read);
        Assert.Equal(("", "2", false), (read.State!.Note, read.ETag, read.RecordExists));
        Assert.True(await ScalarAsync<bool>(silo,
            "SELECT payload IS NULL FROM orleans_grain_state WHERE grain_type = @stateName"));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(_stateName, id, stale));
        read.State!.Note = "after clear";
        await storage.WriteStateAsync(_stateName, id, read);
        Assert.Equal(("3", true), (read.ETag, read.RecordExists));
    }

    [Fact]
    public async Task Clear_WithDeleteStateOnClear_DeletesTheRow_AndANewWriteStartsAgainAtVersionOne()
    {
        var silo = await server.SharedSiloAsync();
        var storage = Storage(silo, TestSilo.DeletingStorageName);
        var id = Id(GrainIdKeyExtensions.CreateIntegerKey(7));
        var state = new GrainState<ProbeState>(new ProbeState { Note = "to delete" });
        await storage.WriteStateAsync(_stateName, id, state);
        var stale = new GrainState<ProbeState>(new ProbeState(), "5");
        stale.RecordExists = true;

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(_stateName, id, stale));
        await storage.ClearStateAsync(_stateName, id, state);

        Assert.Equal((null, false), (state.ETag, state.RecordExists));
        Assert.Equal(0L, await ScalarAsync<long>(silo, "SELECT count(*) FROM orleans_grain_state WHERE grain_type = @stateName"));
        state.State!.Note = "again";
        await storage.WriteStateAsync(_stateName, id, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Payload_IsVersionedJson_WithPropertyAndEnumNames_AndNoClrTypeNames()
    {
        var silo = await server.SharedSiloAsync();
        var storage = Storage(silo, TestSilo.StorageName);
        var state = new GrainState<ProbeState>(new ProbeState { Note = "json", Writes = 3, Kind = ProbeKind.Tumour });
        await storage.WriteStateAsync(_stateName, Id(IdSpan.Create("json")), state);

        var json = await ScalarAsync<string>(silo,
            "SELECT convert_from(payload, 'UTF8') FROM orleans_grain_state WHERE grain_type = @stateName");

        using var document = JsonDocument.Parse(json);
        Assert.Equal(GrainStateJsonSerializer.CurrentFormatVersion, document.RootElement.GetProperty("formatVersion").GetInt32());
        var stored = document.RootElement.GetProperty("state");
        Assert.Equal(("json", 3, "Tumour"),
            (stored.GetProperty("note").GetString(), stored.GetProperty("writes").GetInt32(), stored.GetProperty("kind").GetString()));
        Assert.DoesNotContain("$type", json);
        Assert.DoesNotContain(nameof(ProbeState), json);
    }

    private GrainId Id(IdSpan key) => GrainId.Create(GrainType.Create("contract"), key);

    private static IGrainStorage Storage(TestSilo silo, string name) => silo.Services.GetRequiredKeyedService<IGrainStorage>(name);

    private async Task<T> ScalarAsync<T>(TestSilo silo, string sql)
    {
        await using var connection = new NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("stateName", _stateName);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

public sealed class GrainStateJsonSerializerTests
{
    [Fact]
    public void Deserialize_OfAnotherEnvelopeFormat_ThrowsGrainStateFormatException_NamingTheFormat()
    {
        var serializer = new GrainStateJsonSerializer();

        var e = Assert.Throws<GrainStateFormatException>(() =>
            serializer.Deserialize<ProbeState>(BinaryData.FromString("""{"formatVersion":2,"state":{"note":"x"}}""")));

        Assert.Contains("format 2", e.Message);
    }

    [Fact]
    public void Deserialize_IgnoresUnknownProperties_AndDefaultsMissingOnes()
    {
        var serializer = new GrainStateJsonSerializer();

        var state = serializer.Deserialize<ProbeState>(
            BinaryData.FromString("""{"formatVersion":1,"state":{"note":"old row","retired":true}}"""));

        Assert.Equal(("old row", 0, ProbeKind.None), (state!.Note, state.Writes, state.Kind));
    }
}
