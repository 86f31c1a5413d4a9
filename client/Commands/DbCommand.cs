using System.CommandLine;
using System.Text.Json;
using Npgsql;
using OrleansPathology.Client.Cluster;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath db init [--connection-string CS]</c>: creates or updates the PostgreSQL schema; safe to repeat.</summary>
internal static class DbCommand
{
    public static Command Create() => new("db", "Manage the PostgreSQL database of a cluster.") { Init() };

    private static Command Init()
    {
        var connectionString = new Option<string?>("--connection-string")
        {
            Description = $"Npgsql connection string; default ${ClusterTarget.ConnectionStringVariable} (prefer it: a command line is visible to other users).",
        };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of text." };
        var command = new Command("init", "Apply the schema scripts (Orleans membership and state, pathology tables) not yet applied; idempotent.") { connectionString, json };
        command.SetAction((parse, token) =>
        {
            var secret = parse.GetValue(connectionString) ?? Environment.GetEnvironmentVariable(ClusterTarget.ConnectionStringVariable);
            return ClusterCommandLine.RunAsync(parse, "db init", secret, async () =>
            {
                var cs = ClusterTarget.RequireConnectionString(parse.GetValue(connectionString),
                    Environment.GetEnvironmentVariable(ClusterTarget.ConnectionStringVariable), "opath db init");
                var stdout = parse.InvocationConfiguration.Output;
                IReadOnlyList<string> applied;
                try
                {
                    applied = await SchemaInstaller.ApplyAsync(cs, token);
                }
                catch (NpgsqlException ex)
                {
                    throw new IOException($"database {ConnectionStrings.Redact(cs)}: {ex.Message}", ex);
                }
                if (parse.GetValue(json))
                {
                    stdout.WriteLine(JsonSerializer.Serialize(new { applied, scripts = SchemaInstaller.Scripts.Count, database = ConnectionStrings.Redact(cs) }, CliJson.Options));
                    return ExitCodes.Success;
                }
                foreach (var script in applied) stdout.WriteLine($"applied {script}");
                stdout.WriteLine(applied.Count == 0
                    ? $"schema up to date ({SchemaInstaller.Scripts.Count} scripts) in {ConnectionStrings.Redact(cs)}"
                    : $"applied {applied.Count} of {SchemaInstaller.Scripts.Count} scripts to {ConnectionStrings.Redact(cs)}");
                return ExitCodes.Success;
            });
        });
        return command;
    }
}
