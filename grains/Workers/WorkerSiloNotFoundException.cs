namespace OrleansPathology.Grains.Workers;

/// <summary>
/// A device worker cannot be placed: its key names a silo that is not active in the cluster (or names no
/// silo). Thrown by the device-pinned placement to the caller, so it is serialisable.
/// </summary>
[GenerateSerializer, Alias("opath.WorkerSiloNotFoundException")]
public sealed class WorkerSiloNotFoundException : OrleansException
{
    public WorkerSiloNotFoundException(string siloName, string message) : base(message) => SiloName = siloName;

    /// <summary>The silo the worker key asked for (the whole key when it names none).</summary>
    [Id(0)]
    public string SiloName { get; }
}
