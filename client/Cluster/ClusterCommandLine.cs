using OrleansPathology.Model;
using System.CommandLine;
using System.Globalization;
using Npgsql;
using Orleans.Runtime;
using OrleansPathology.Grains;
using OrleansPathology.Silo.Database;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// What the cohort commands share: <c>--cluster</c>/<c>--connection-string</c>, reading their text options, and one
/// way of reporting failure. Options are read as text and checked here, as <c>opath synth</c> does, so that every bad
/// argument is one line on stderr and exit code 2 (System.CommandLine's own parse errors are mapped to 2 by
/// <see cref="OpathCommand.InvokeAsync"/>). Every message passes through <see cref="ConnectionStrings.Scrub"/>.
/// </summary>
internal sealed class ClusterCommandLine
{
    /// <summary>The exit code of a command stopped by Ctrl+C (<see cref="ExitCodes.Interrupted"/>).</summary>
    public const int Interrupted = ExitCodes.Interrupted;

    /// <summary>The environment variable that stands in for <c>--cluster</c>, so follow-up commands need not repeat it.</summary>
    public const string ClusterVariable = "OPATH_CLUSTER";

    public Option<string?> Cluster { get; } = new("--cluster")
    {
        Description = $"localhost[:PORT] (a silo on this machine, gateway port default 30000) or postgres (silos that share a PostgreSQL membership table); default ${ClusterVariable}.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ClusterVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
    };

    public Option<string?> ConnectionString { get; } = new("--connection-string")
    {
        Description = $"Npgsql connection string for --cluster postgres; default ${ClusterTarget.ConnectionStringVariable} (prefer it: a command line is visible to other users).",
    };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Cluster);
        command.Options.Add(ConnectionString);
    }

    /// <summary>The target the options name; <paramref name="whenAbsent"/> without <c>--cluster</c>.</summary>
    public ClusterTarget Target(ParseResult parse, ClusterTarget whenAbsent) =>
        ClusterTarget.Parse(parse.GetValue(Cluster), parse.GetValue(ConnectionString),
            Environment.GetEnvironmentVariable(ClusterTarget.ConnectionStringVariable), whenAbsent);

    /// <summary>The connection string named on the command line or in the environment (for redacting messages), or null.</summary>
    public string? Secret(ParseResult parse) =>
        parse.GetValue(ConnectionString) ?? Environment.GetEnvironmentVariable(ClusterTarget.ConnectionStringVariable);

    /// <summary>
    /// Runs a command's body: unexpected tokens, bad input and an unreachable or failing cluster become one line
    /// <c>opath NAME: message</c> on stderr (password redacted) and <see cref="ExitCodes.Failure"/>.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, string name, string? secret, Func<Task<int>> body)
    {
        try
        {
            if (parse.UnmatchedTokens.Count > 0)
                throw new ArgumentException($"unexpected argument(s): {string.Join(' ', parse.UnmatchedTokens)}");
            return await body();
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C (or the caller's token): the command says what that left behind before it gets here.
            return Interrupted;
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            parse.InvocationConfiguration.Error.WriteLine($"opath {name}: {ConnectionStrings.Scrub(ex.Message, secret)}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>A cohort id argument: required, and not an option that System.CommandLine did not recognise.</summary>
    public static string RequireCohortId(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("a cohort id is required");
        if (value.StartsWith('-')) throw new ArgumentException($"unexpected argument(s): {value}");
        return value;
    }

    public static int ParsePositiveInt(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive whole number (got '{text}')");

    public static ScoringMode ParseMode(string text) => text.ToLowerInvariant() switch
    {
        "dense" => ScoringMode.Dense,
        "patch" => ScoringMode.Patch,
        _ => throw new ArgumentException($"--mode must be dense or patch (got '{text}')"),
    };

    public static string ParsePrecision(string text) => Precisions.TryParse(text, out var precision)
        ? Precisions.Name(precision)
        : throw new ArgumentException($"--precision must be fp32, bf16 or fp16 (got '{text}')");

    /// <summary>The failures a user can act on; anything else is a bug and keeps its stack trace.</summary>
    private static bool IsExpected(Exception ex) =>
        ex is ArgumentException or IOException or UnauthorizedAccessException or InvalidDataException or FormatException
            or TimeoutException or OrleansException or NpgsqlException or SchemaScriptException
            or CohortNotFoundException or OrleansPathology.Slides.SlideException or OrleansPathology.Model.ModelWeightsException;
}
