namespace OrleansPathology.Grains.Maps;

/// <summary>What a map-assembly grain persists: its plan and whether its outputs are written. The values live in the batch store.</summary>
[GenerateSerializer, Alias("opath.MapAssemblyState")]
public sealed class MapAssemblyState
{
    [Id(0)] public MapPlan? Plan { get; set; }
    [Id(1)] public bool Finished { get; set; }
    [Id(2)] public int Lesions { get; set; }
}
