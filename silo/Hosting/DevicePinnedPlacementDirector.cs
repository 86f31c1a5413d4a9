using OrleansPathology.Grains.Devices;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using SiloMetadataValues = Orleans.Runtime.MembershipService.SiloMetadata.SiloMetadata;

namespace OrleansPathology.Silo.Hosting;

/// <summary>
/// Places a <see cref="DevicePinnedPlacement"/> grain (key <c>{siloName}/{device}</c>) on the compatible silo
/// whose metadata <see cref="SiloMetadataKeys.SiloName"/> is the key's first segment, and nowhere else: a
/// device worker is useless away from its device. Remote silos are looked up in Orleans' silo metadata
/// cache; the local silo by its own published metadata (so that its workers can start before the cache
/// has caught up with itself).
/// </summary>
public sealed class DevicePinnedPlacementDirector(ISiloMetadataCache metadataCache, IOptions<SiloMetadataValues> localMetadata) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        string siloName;
        try
        {
            siloName = DeviceKeys.Parse(key).SiloName;
        }
        catch (FormatException ex)
        {
            throw new WorkerSiloNotFoundException(key, $"cannot place {target.GrainIdentity}: {ex.Message}");
        }

        var compatible = context.GetCompatibleSilos(target);
        // A restarted node can briefly appear twice (its old incarnation not yet declared dead): take the newest.
        var pinned = compatible.Where(silo => NameOf(silo, context) == siloName).MaxBy(silo => silo.Generation);
        if (pinned is not null) return Task.FromResult(pinned);

        var known = compatible.Length == 0
            ? "none"
            : string.Join(", ", compatible.Select(s => $"{NameOf(s, context) ?? "(no metadata yet)"} at {s}"));
        throw new WorkerSiloNotFoundException(siloName,
            $"cannot place {target.GrainIdentity}: no active silo named '{siloName}' in the cluster (silos: {known})");
    }

    private string? NameOf(SiloAddress silo, IPlacementContext context)
    {
        if (metadataCache.GetSiloMetadata(silo).Metadata.TryGetValue(SiloMetadataKeys.SiloName, out var name)) return name;
        return silo.Equals(context.LocalSilo) ? localMetadata.Value.Metadata.GetValueOrDefault(SiloMetadataKeys.SiloName) : null;
    }
}
