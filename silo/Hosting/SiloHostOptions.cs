using System.ComponentModel.DataAnnotations;

namespace OrleansPathology.Silo.Hosting;

/// <summary>How a silo joins its cluster and where it keeps state. Section <c>Silo</c>; every key also reads from <c>Silo__Key</c> environment variables.</summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "Silo";

    /// <summary>
    /// <c>localhost</c> (one process, the default), <c>postgres</c> (many processes or machines) or <c>kubernetes</c>
    /// (membership in PostgreSQL, identity and addresses from the pod: see <see cref="KubernetesHosting"/>).
    /// </summary>
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary><c>memory</c> (the default; state dies with the process) or <c>postgres</c>.</summary>
    public StateStorage Storage { get; set; } = StateStorage.Memory;

    /// <summary>Npgsql connection string; required when clustering or storage is postgres. Keep the password in a secret (environment variable), never in a file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Orleans cluster id: silos with the same id and database form one cluster. Default <c>opath</c>.</summary>
    [Required]
    public string ClusterId { get; set; } = "opath";

    /// <summary>Orleans service id: stable across deployments, it scopes grain state. Default <c>opath</c>.</summary>
    [Required]
    public string ServiceId { get; set; } = "opath";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos reach this one at; default loopback (one machine).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// HTTP port of a silo process's <c>/healthz</c>, <c>/ready</c> and <c>/metrics</c> (see <see cref="HealthHosting"/>).
    /// Default 8080; 0 turns the endpoints off (several silos on one machine need a port each, or 0).
    /// </summary>
    [Range(0, 65535)]
    public int HealthPort { get; set; } = 8080;

    /// <summary>
    /// A file holding the database password (a mounted secret), put into <see cref="ConnectionString"/> in place of any
    /// password there. Unset (the default): the connection string carries it (from a secret environment variable).
    /// </summary>
    public string? DatabasePasswordFile { get; set; }

    /// <summary>TLS between silos and on the gateway (section <c>Silo:Tls</c>); off unless a certificate is set.</summary>
    public TlsCertificateOptions Tls { get; set; } = new();

    public bool UsesPostgres => Clustering is ClusteringMode.Postgres or ClusteringMode.Kubernetes || Storage == StateStorage.Postgres;
}

/// <summary>How silos find each other (<c>Silo:Clustering</c>; configuration values are the lower-case names).</summary>
public enum ClusteringMode
{
    /// <summary>One process on this machine.</summary>
    Localhost,

    /// <summary>Membership in PostgreSQL: many processes or machines.</summary>
    Postgres,

    /// <summary>Membership in PostgreSQL, identity and addresses from the Kubernetes pod.</summary>
    Kubernetes,
}

/// <summary>Where grain state and batch results live (<c>Silo:Storage</c>).</summary>
public enum StateStorage
{
    /// <summary>In the process: gone when it stops.</summary>
    Memory,

    /// <summary>In PostgreSQL.</summary>
    Postgres,
}
