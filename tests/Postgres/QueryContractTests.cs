using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;
using Orleans.Runtime.MembershipService;
using Orleans.Storage;

namespace OrleansPathology.Tests.Postgres;

/// <summary>
/// The query rows in orleansquery against what the Orleans assemblies in use actually ask for, read from those
/// assemblies rather than from a list kept here, so that an Orleans upgrade that adds a query fails this test.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed partial class QueryContractTests(PostgresServerFixture server)
{
    /// <summary>
    /// The one clustering key Orleans 10.4 looks up without requiring it (RelationalOrleansQueries
    /// .CleanupDefunctSiloEntriesAsync prefers it to CleanupDefunctSiloEntriesKey when present).
    /// </summary>
    private const string OptionalClusteringKey = "CleanupDefunctSiloEntryKey";

    [Fact]
    public async Task OrleansQuery_HoldsEveryQueryTheClusteringProviderRequires()
    {
        // Orleans.Clustering.AdoNet's internal DbStoredQueries refuses to start unless every one of its non-public
        // instance properties has a row of that name.
        var storedQueries = typeof(AdoNetClusteringTable).Assembly
            .GetType("Orleans.Clustering.AdoNet.Storage.DbStoredQueries", throwOnError: true)!;
        var required = storedQueries.GetProperties(BindingFlags.Instance | BindingFlags.NonPublic)
            .Select(p => p.Name).ToList();

        var present = await QueryKeysAsync();

        Assert.Contains("MembershipReadAllKey", required);
        Assert.All(required.Append(OptionalClusteringKey), key => Assert.Contains(key, present));
    }

    [Fact]
    public async Task OrleansQuery_HoldsEveryQueryTheGrainStorageReads()
    {
        var wanted = QueryKeyInInitQuery().Matches(AdoNetGrainStorage.DefaultInitializationQuery)
            .Select(m => m.Groups[1].Value).ToList();

        var present = await QueryKeysAsync();

        Assert.Equal(["WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey", "DeleteStorageKey"], wanted);
        Assert.All(wanted, key => Assert.Contains(key, present));
    }

    private async Task<HashSet<string>> QueryKeysAsync()
    {
        var connectionString = await server.CreateOrleansDatabaseAsync("contract");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // The exact statement Orleans runs at start.
        await using var read = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        await using var reader = await read.ExecuteReaderAsync();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            Assert.False(string.IsNullOrWhiteSpace(reader.GetString(reader.GetOrdinal("QueryText"))));
            keys.Add(reader.GetString(reader.GetOrdinal("QueryKey")));
        }
        return keys;
    }

    [GeneratedRegex(@"QueryKey = '(\w+)'")]
    private static partial Regex QueryKeyInInitQuery();
}
