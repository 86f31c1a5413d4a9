using Orleans.Placement;
using Orleans.Runtime;

namespace OrleansPathology.Grains;

/// <summary>
/// Places a grain on the silo named by the first segment of its key (<c>{siloName}/{device}</c>), as that
/// silo announced itself in its metadata: device workers must run where their device is.
/// </summary>
[GenerateSerializer, Immutable]
public sealed class DevicePinnedPlacement : PlacementStrategy
{
    internal static readonly DevicePinnedPlacement Instance = new();
}

/// <summary>Marks a grain class for <see cref="DevicePinnedPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class DevicePinnedPlacementAttribute() : PlacementAttribute(DevicePinnedPlacement.Instance);

/// <summary>Silo metadata keys the silos announce.</summary>
public static class SiloMetadataKeys
{
    /// <summary>The silo's stable name, the first segment of its worker keys.</summary>
    public const string SiloName = "opath.silo";

    /// <summary>Comma-separated devices: <c>cuda:0,cuda:1</c> on GPU nodes, <c>cpu:0,cpu:1</c> otherwise.</summary>
    public const string Devices = "opath.devices";
}
