using System.ComponentModel.DataAnnotations;

namespace OrleansPathology.Silo.Hosting;

/// <summary>How a silo joins its cluster and where it keeps state. Section <c>Silo</c>; every key also reads from <c>Silo__Key</c> environment variables.</summary>
public sealed class SiloHostOptions
{
    public const string SectionName = "Silo";

    /// <summary><c>localhost</c> (one process, the default) or <c>postgres</c> (many processes or machines).</summary>
    [Required, RegularExpression("^(localhost|postgres)$", ErrorMessage = "Silo:Clustering must be 'localhost' or 'postgres'")]
    public string Clustering { get; set; } = "localhost";

    /// <summary><c>memory</c> (the default; state dies with the process) or <c>postgres</c>.</summary>
    [Required, RegularExpression("^(memory|postgres)$", ErrorMessage = "Silo:Storage must be 'memory' or 'postgres'")]
    public string Storage { get; set; } = "memory";

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

    public bool UsesPostgres => Clustering == "postgres" || Storage == "postgres";
}
