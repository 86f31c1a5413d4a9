using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using SiloMetadataValues = Orleans.Runtime.MembershipService.SiloMetadata.SiloMetadata;

namespace OrleansPathology.Grains.Training;

/// <summary>
/// The trainers alive in the cluster, as membership and silo metadata say: one <c>{SiloName}/{device}</c> for each device
/// each active silo announces (<see cref="SiloMetadataKeys.Devices"/>), in ordinal order so that every coordinator
/// activation hands slices out alike. A silo that dies drops out as soon as the cluster declares it dead.
/// </summary>
public sealed class TrainerDirectory(
    IClusterMembershipService membership,
    ISiloMetadataCache metadata,
    ILocalSiloDetails local,
    IOptions<SiloMetadataValues> localMetadata)
{
    public IReadOnlyList<string> LiveTrainers()
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
}
