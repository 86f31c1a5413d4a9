using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansPathology.Silo;

namespace OrleansPathology.Tests.Postgres;

/// <summary>Real silos and a real client on PostgreSQL: membership, restarts, stale writes, a two-silo cluster.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SiloTests(PostgresServerFixture server)
{
    /// <summary>Orleans' SiloStatus values as the membership table stores them.</summary>
    private const int Active = 3, Dead = 6;

    [Fact]
    public async Task RunningSilo_IsActiveInTheMembershipTable_WithItsGatewayPort()
    {
        var silo = await server.SharedSiloAsync();

        var (status, proxyPort) = await MemberAsync(silo.ConnectionString, silo);

        Assert.Equal((Active, silo.GatewayPort), (status, proxyPort));
    }

    [Fact]
    public async Task GrainState_WrittenBeforeARestart_IsReadByTheNextSilo()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("restart");
        var key = $"restart-{Guid.NewGuid():N}";
        var first = await TestSilo.StartAsync(connectionString, "restart");
        await first.Grains.GetGrain<IProbeGrain>(key).WriteAsync("first", ProbeKind.Normal);
        Assert.Equal("2", await first.Grains.GetGrain<IProbeGrain>(key).WriteAsync("second", ProbeKind.Tumour));
        await first.DisposeAsync();
        Assert.Equal(Dead, (await MemberAsync(connectionString, first)).Status);

        await using var second = await TestSilo.StartAsync(connectionString, "restart");
        var read = await second.Grains.GetGrain<IProbeGrain>(key).ReadAsync();

        Assert.Equal(new ProbeSnapshot("second", 2, ProbeKind.Tumour, "2", RecordExists: true), read);
        Assert.Equal("3", await second.Grains.GetGrain<IProbeGrain>(key).WriteAsync("third", ProbeKind.Tumour));
    }

    [Fact]
    public async Task GrainWrite_AfterAnotherWriterMovedTheVersion_ThrowsInconsistentStateException()
    {
        var silo = await server.SharedSiloAsync();
        var key = $"stale-{Guid.NewGuid():N}";
        var grain = silo.Grains.GetGrain<IProbeGrain>(key);
        Assert.Equal("1", await grain.WriteAsync("mine", ProbeKind.Normal));

        // Someone else writes the row behind the activation's back.
        await using (var connection = new NpgsqlConnection(silo.ConnectionString))
        {
            await connection.OpenAsync();
            await using var other = new NpgsqlCommand(
                "UPDATE orleans_grain_state SET version = version + 1 WHERE grain_type = @state AND grain_id_extension = @key",
                connection);
            other.Parameters.AddWithValue("state", ProbeGrain.StateName);
            other.Parameters.AddWithValue("key", key);
            Assert.Equal(1, await other.ExecuteNonQueryAsync());
        }

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.WriteAsync("lost update", ProbeKind.Normal));
    }

    [Fact]
    public async Task TwoSilos_OnOneDatabase_SeeEachOtherActive()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("pair");
        await using var a = await TestSilo.StartAsync(connectionString, "pair");
        await using var b = await TestSilo.StartAsync(connectionString, "pair");

        foreach (var silo in new[] { a, b })
        {
            var management = silo.Grains.GetGrain<IManagementGrain>(0);
            await WaitUntilAsync(async () => (await management.GetHosts(onlyActive: true)).Count == 2,
                $"silo on port {silo.SiloPort} to see both silos active");
        }
        Assert.Equal(Active, (await MemberAsync(connectionString, a)).Status);
        Assert.Equal(Active, (await MemberAsync(connectionString, b)).Status);
    }

    [Theory]
    [InlineData(true)] // Orleans 10.4 prefers the per-silo CleanupDefunctSiloEntryKey when the row exists
    [InlineData(false)] // and falls back to the bulk CleanupDefunctSiloEntriesKey when it does not
    public async Task DefunctSiloCleanup_RemovesTheDeadSilo_AndKeepsTheLiveOne(bool perSiloQuery)
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("cleanup");
        if (!perSiloQuery)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand(
                "DELETE FROM orleansquery WHERE querykey = 'CleanupDefunctSiloEntryKey'", connection);
            Assert.Equal(1, await drop.ExecuteNonQueryAsync());
        }
        var dead = await TestSilo.StartAsync(connectionString, "cleanup");
        await dead.DisposeAsync();
        await using var live = await TestSilo.StartAsync(connectionString, "cleanup");
        Assert.Equal(Dead, (await MemberAsync(connectionString, dead)).Status);

        await live.Services.GetRequiredService<IMembershipTable>()
            .CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddSeconds(1));

        Assert.Equal(0L, await MemberCountAsync(connectionString, dead));
        Assert.Equal(Active, (await MemberAsync(connectionString, live)).Status);
    }

    [Fact]
    public async Task MembershipWrites_WithAStaleTableVersion_AreRefused_AndEachSuccessMovesTheVersionOn()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("versions");
        await using var silo = await TestSilo.StartAsync(connectionString, "versions");
        var table = silo.Services.GetRequiredService<IMembershipTable>();
        var before = await table.ReadAllAsync();
        var (own, ownEtag) = before.Members.Single();
        var ghost = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, TestPorts.Next(), 1),
            SiloName = "ghost", HostName = "ghost-host", Status = SiloStatus.Dead, ProxyPort = 0,
            StartTime = DateTime.UtcNow, IAmAliveTime = DateTime.UtcNow,
        };

        Assert.True(await table.InsertRowAsync(ghost, before.Version.Next()));
        Assert.False(await table.InsertRowAsync(ghost, before.Version.Next())); // stale version
        var afterInsert = await table.ReadAllAsync();
        Assert.Equal(before.Version.Version + 1, afterInsert.Version.Version);
        Assert.False(await table.InsertRowAsync(ghost, afterInsert.Version.Next())); // the silo already has a row
        Assert.False(await table.UpdateRowAsync(own, ownEtag, before.Version.Next())); // stale etag
        var (ownNow, ownNowEtag) = afterInsert.Members.Single(m => m.Item1.SiloAddress.Equals(own.SiloAddress));
        Assert.True(await table.UpdateRowAsync(ownNow, ownNowEtag, afterInsert.Version.Next()));

        var after = await table.ReadAllAsync();
        Assert.Equal(before.Version.Version + 2, after.Version.Version);
        Assert.Equal(2, after.Members.Count);
        var readGhost = (await table.ReadRowAsync(ghost.SiloAddress)).Members.Single().Item1;
        Assert.Equal(("ghost", "ghost-host", SiloStatus.Dead), (readGhost.SiloName, readGhost.HostName, readGhost.Status));
    }

    [Fact]
    public async Task Client_FindsTheGatewayThroughPostgres_AndCallsAGrain()
    {
        var silo = await server.SharedSiloAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = silo.ClusterId;
                options.ServiceId = TestSilo.ServiceId;
            })
            .UsePostgresClustering(silo.ConnectionString));
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await host.StartAsync(timeout.Token);

        var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<IProbeGrain>($"client-{Guid.NewGuid():N}");
        Assert.Equal("1", await grain.WriteAsync("from a client", ProbeKind.Normal));
        Assert.Equal("from a client", (await grain.ReadAsync()).Note);

        await host.StopAsync(timeout.Token);
    }

    private static async Task<(int Status, int ProxyPort)> MemberAsync(string connectionString, TestSilo silo)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            """
            SELECT status, proxy_port FROM orleans_membership
             WHERE deployment_id = @cluster AND address = '127.0.0.1' AND port = @port
             ORDER BY generation DESC LIMIT 1
            """, connection);
        read.Parameters.AddWithValue("cluster", silo.ClusterId);
        read.Parameters.AddWithValue("port", silo.SiloPort);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no membership row for 127.0.0.1:{silo.SiloPort} in cluster {silo.ClusterId}");
        return (reader.GetInt32(0), reader.GetInt32(1));
    }

    private static async Task<long> MemberCountAsync(string connectionString, TestSilo silo)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = @cluster AND port = @port", connection);
        count.Parameters.AddWithValue("cluster", silo.ClusterId);
        count.Parameters.AddWithValue("port", silo.SiloPort);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after 30 s with what was awaited.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }
}
