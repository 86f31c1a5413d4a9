using Orleans.Configuration;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Silo;

/// <summary>
/// Orleans on PostgreSQL: cluster membership and grain state through Orleans' ADO.NET providers, driven by the
/// schema and query rows in <c>silo/Sql/</c> (apply them first with <see cref="SchemaInstaller.ApplyAsync"/>).
/// </summary>
public static class PostgresHosting
{
    /// <summary>The ADO.NET invariant Orleans resolves to Npgsql's <c>NpgsqlFactory</c>.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Keeps this silo's cluster membership in PostgreSQL (tables <c>orleans_membership*</c>).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">Npgsql connection string of the Orleans database.</param>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>
    /// Lets a cluster client find the silos' gateways in PostgreSQL.
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="connectionString">Npgsql connection string of the Orleans database.</param>
    public static IClientBuilder UsePostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>
    /// Adds a grain storage named <paramref name="name"/> that keeps state in PostgreSQL (table
    /// <c>orleans_grain_state</c>) as versioned JSON (<see cref="GrainStateJsonSerializer"/>), with optimistic
    /// concurrency on the stored version: a write from a stale activation fails with
    /// <c>InconsistentStateException</c>. Clearing state keeps the row, emptied, with a new version.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage name that <c>[PersistentState(stateName, name)]</c> refers to.</param>
    /// <param name="connectionString">Npgsql connection string of the Orleans database.</param>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddAdoNetGrainStorage(name, (AdoNetGrainStorageOptions options) =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
            options.GrainStorageSerializer = new GrainStateJsonSerializer();
        });
    }
}
