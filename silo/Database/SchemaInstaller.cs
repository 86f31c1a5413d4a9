using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansPathology.Silo.Database;

/// <summary>
/// Creates and updates the PostgreSQL schema from the scripts embedded out of <c>silo/Sql/</c>
/// (<c>NNNN-purpose.sql</c>), in file-name order.
/// </summary>
/// <remarks>
/// Each script runs in its own transaction that first takes a transaction-scoped advisory lock, so installers
/// started side by side (two silos, two <c>db init</c>s) apply every script exactly once and in order. Applied
/// scripts are recorded by name and SHA-256 in <c>opath_schema_migrations</c>; a recorded script with the same
/// hash is skipped, so re-running is a no-op. A script whose text changed is applied again and its hash
/// updated: the scripts are written to be re-runnable (see <c>0001-orleans-main.sql</c>), the way Flyway
/// treats repeatable migrations.
/// </remarks>
public static partial class SchemaInstaller
{
    /// <summary>
    /// Key of the advisory lock that serialises installers: the ASCII bytes of "opath_db", so that it is easy to
    /// recognise in <c>pg_locks</c> (classid 1869652321, objid 1751130466).
    /// </summary>
    public const long AdvisoryLockKey = 0x6F70_6174_685F_6462;

    /// <summary>The table that records applied scripts.</summary>
    public const string MigrationsTable = "opath_schema_migrations";

    private const string ResourcePrefix = "OrleansPathology.Silo.Sql.";

    private static readonly Lazy<IReadOnlyList<SchemaScript>> EmbeddedScripts = new(LoadScripts);

    /// <summary>The embedded scripts, in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts => EmbeddedScripts.Value;

    /// <summary>
    /// Applies every embedded script that is not yet recorded with its current hash.
    /// </summary>
    /// <param name="connectionString">Npgsql connection string of the target database; its role needs the right
    /// to create tables and functions there.</param>
    /// <param name="ct">Cancels between and during scripts; a cancelled script is rolled back.</param>
    /// <returns>The names of the scripts this call applied, in order; empty when the schema was up to date.</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);

        await using (var bootstrap = await connection.BeginTransactionAsync(ct))
        {
            await LockAsync(connection, bootstrap, ct);
            await using var create = new NpgsqlCommand(
                $"""
                CREATE TABLE IF NOT EXISTS {MigrationsTable}
                (
                    script_name text        NOT NULL,
                    sha256      text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now(),
                    CONSTRAINT {MigrationsTable}_pkey PRIMARY KEY (script_name)
                )
                """, connection, bootstrap);
            await create.ExecuteNonQueryAsync(ct);
            await bootstrap.CommitAsync(ct);
        }

        var applied = new List<string>();
        foreach (var script in Scripts)
        {
            ct.ThrowIfCancellationRequested();
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await LockAsync(connection, transaction, ct);

            // Read under the lock: another installer may have applied the script while this one waited.
            await using (var recorded = new NpgsqlCommand(
                $"SELECT sha256 FROM {MigrationsTable} WHERE script_name = @name", connection, transaction))
            {
                recorded.Parameters.AddWithValue("name", script.Name);
                if (await recorded.ExecuteScalarAsync(ct) is string hash && hash == script.Sha256)
                {
                    await transaction.RollbackAsync(ct);
                    continue;
                }
            }

            try
            {
                await using var run = new NpgsqlCommand(script.Sql, connection, transaction);
                await run.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e)
            {
                throw new SchemaScriptException(script.Name, e);
            }

            await using (var record = new NpgsqlCommand(
                $"""
                INSERT INTO {MigrationsTable} (script_name, sha256) VALUES (@name, @sha256)
                ON CONFLICT (script_name) DO UPDATE SET sha256 = EXCLUDED.sha256, applied_at = now()
                """, connection, transaction))
            {
                record.Parameters.AddWithValue("name", script.Name);
                record.Parameters.AddWithValue("sha256", script.Sha256);
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            applied.Add(script.Name);
        }

        return applied;
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction);
        command.Parameters.AddWithValue("key", AdvisoryLockKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static IReadOnlyList<SchemaScript> LoadScripts()
    {
        var assembly = typeof(SchemaInstaller).Assembly;
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            var name = resource[ResourcePrefix.Length..];
            if (!ScriptName().IsMatch(name))
            {
                throw new InvalidOperationException(
                    $"Embedded SQL resource '{resource}' is not named NNNN-purpose.sql; rename silo/Sql/{name}.");
            }
            scripts.Add(SchemaScript.Load(assembly, resource, name));
        }
        scripts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return scripts;
    }

    [GeneratedRegex(@"^\d{4}-[a-z0-9-]+\.sql$")]
    private static partial Regex ScriptName();
}

/// <summary>One embedded schema script.</summary>
/// <param name="Name">File name in <c>silo/Sql/</c>, e.g. <c>0002-orleans-clustering.sql</c>.</param>
/// <param name="Sql">The script text, line endings normalised to <c>\n</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of <paramref name="Sql"/> as UTF-8.</param>
public sealed record class SchemaScript(string Name, string Sql, string Sha256)
{
    internal static SchemaScript Load(Assembly assembly, string resource, string name)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded SQL resource '{resource}' cannot be opened.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var sql = reader.ReadToEnd().ReplaceLineEndings("\n");
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return new SchemaScript(name, sql, hash);
    }
}

/// <summary>A schema script failed on the server; the script's transaction was rolled back.</summary>
public sealed class SchemaScriptException(string scriptName, PostgresException inner)
    : Exception($"Schema script {scriptName} failed: {inner.SqlState} {inner.MessageText}"
                + (inner.Position > 0 ? $" (at character {inner.Position})" : ""), inner)
{
    /// <summary>The failing script's file name.</summary>
    public string ScriptName { get; } = scriptName;
}
