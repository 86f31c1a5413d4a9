using Microsoft.Extensions.Options;
using OrleansPathology.Inference;
using Orleans.Runtime.MembershipService.SiloMetadata;
using SiloMetadataValues = Orleans.Runtime.MembershipService.SiloMetadata.SiloMetadata;

namespace OrleansPathology.Grains.Devices;

/// <summary>
/// The cluster's device inventory, as membership and silo metadata say: one <c>{SiloName}/{device}</c> for each device
/// each active silo announces (<see cref="SiloMetadataKeys.Devices"/>), in ordinal order so that every coordinator
/// activation hands training slices out alike. Each device has one inference worker and one trainer of that key.
/// A silo that dies drops out as soon as the cluster declares it dead.
/// </summary>
public sealed class DeviceInventory(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails local,
    IOptions<SiloMetadataValues> localMetadata)
{
    public IReadOnlyList<string> LiveDevices()
    {
        var keys = new List<string>();
        foreach (var member in membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active))
        {
            var values = metadata.GetSiloMetadata(member.SiloAddress).Metadata;
            // The cache may not know this silo itself yet: its own published metadata does.
            if (!values.ContainsKey(SiloMetadataKeys.SiloName) && member.SiloAddress.Equals(local.SiloAddress)) values = localMetadata.Value.Metadata;
            if (!values.TryGetValue(SiloMetadataKeys.SiloName, out var name) || !values.TryGetValue(SiloMetadataKeys.Devices, out var devices)) continue;
            keys.AddRange(devices.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d => $"{name}/{d}"));
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>
    /// The fastest device kind the cluster has now (cuda, then sim, then cpu): a cohort's batch layout is made for it.
    /// </summary>
    public DeviceKind FastestKind()
    {
        var kinds = LiveDevices().Select(key => DeviceName.TryParse(key[(key.IndexOf('/') + 1)..], out var d) ? d.Kind : DeviceKind.Cpu).ToHashSet();
        return kinds.Contains(DeviceKind.Cuda) ? DeviceKind.Cuda : kinds.Contains(DeviceKind.Sim) ? DeviceKind.Sim : DeviceKind.Cpu;
    }
}
