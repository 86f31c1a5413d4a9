using System.Globalization;

namespace OrleansPathology.Client.Cluster;

/// <summary>How a cluster is reached.</summary>
internal enum ClusterKind
{
    /// <summary>A silo started inside this process for one command (memory state, dies with the process).</summary>
    Embedded,

    /// <summary>An external silo on this machine, reached through its gateway port.</summary>
    Localhost,

    /// <summary>Silos that keep their membership (and gateways) in PostgreSQL.</summary>
    Postgres,
}

/// <summary>
/// The cluster a command talks to, from <c>--cluster</c> and <c>--connection-string</c> (or the
/// <see cref="ConnectionStringVariable"/> environment variable). <see cref="ToString"/> never shows a password.
/// </summary>
internal sealed record ClusterTarget(ClusterKind Kind, int GatewayPort = ClusterTarget.DefaultGatewayPort, string? ConnectionString = null)
{
    /// <summary>The environment variable read when <c>--connection-string</c> is absent.</summary>
    public const string ConnectionStringVariable = "OPATH_CONNECTION_STRING";

    /// <summary>The gateway port a default silo listens on (<c>Silo:GatewayPort</c>'s default).</summary>
    public const int DefaultGatewayPort = 30000;

    public static ClusterTarget Embedded { get; } = new(ClusterKind.Embedded);

    /// <summary>
    /// Reads <c>--cluster</c>: <c>localhost</c>, <c>localhost:PORT</c>, <c>postgres</c>, or (where
    /// <paramref name="whenAbsent"/> allows it) <c>embedded</c>. Absent, the target is <paramref name="whenAbsent"/>.
    /// </summary>
    /// <param name="value">The option's text, or null when it was not given.</param>
    /// <param name="connectionString">The <c>--connection-string</c> text, or null.</param>
    /// <param name="environmentConnectionString">The value of <see cref="ConnectionStringVariable"/>, or null.</param>
    /// <param name="whenAbsent">The target when <c>--cluster</c> is not given.</param>
    public static ClusterTarget Parse(string? value, string? connectionString, string? environmentConnectionString, ClusterTarget whenAbsent)
    {
        var target = value?.Trim().ToLowerInvariant() switch
        {
            null => whenAbsent,
            "embedded" when whenAbsent.Kind == ClusterKind.Embedded => Embedded,
            "localhost" => new ClusterTarget(ClusterKind.Localhost),
            "postgres" => PostgresFrom(connectionString, environmentConnectionString),
            { } text when text.StartsWith("localhost:", StringComparison.Ordinal) => new ClusterTarget(ClusterKind.Localhost, ParsePort(value!, text["localhost:".Length..])),
            _ => throw new ArgumentException(
                $"--cluster must be localhost, localhost:PORT or postgres{(whenAbsent.Kind == ClusterKind.Embedded ? " (or absent for an embedded cluster)" : "")} (got '{value}')"),
        };
        if (connectionString is not null && target.Kind != ClusterKind.Postgres)
            throw new ArgumentException("--connection-string is used only with --cluster postgres");
        return target;
    }

    /// <summary>A PostgreSQL connection string from the option, else the environment; an error naming both when neither is set.</summary>
    public static string RequireConnectionString(string? connectionString, string? environmentConnectionString, string purpose) =>
        !string.IsNullOrWhiteSpace(connectionString) ? connectionString
        : !string.IsNullOrWhiteSpace(environmentConnectionString) ? environmentConnectionString
        : throw new ArgumentException($"{purpose} needs a PostgreSQL connection string: pass --connection-string or set {ConnectionStringVariable}");

    /// <summary>Where the target is, for messages: <c>embedded</c>, <c>localhost:30000</c> or <c>postgres (Host=db;Password=***)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ClusterKind.Embedded => "embedded",
        ClusterKind.Localhost => string.Create(CultureInfo.InvariantCulture, $"localhost:{GatewayPort}"),
        _ => $"postgres ({ConnectionStrings.Redact(ConnectionString!)})",
    };

    private static ClusterTarget PostgresFrom(string? connectionString, string? environmentConnectionString) =>
        new(ClusterKind.Postgres, ConnectionString: RequireConnectionString(connectionString, environmentConnectionString, "--cluster postgres"));

    private static int ParsePort(string value, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new ArgumentException($"--cluster localhost:PORT needs a port from 1 to 65535 (got '{value}')");
}
