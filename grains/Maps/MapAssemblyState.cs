namespace OrleansPathology.Grains.Maps;

/// <summary>What a map-assembly grain persists: the map's geometry and where it goes. The values live in the batch store.</summary>
[GenerateSerializer, Alias("opath.MapAssemblyState")]
public sealed class MapAssemblyState
{
    [Id(0)] public string SlidePath { get; set; } = "";
    [Id(1)] public long SlideWidth { get; set; }
    [Id(2)] public long SlideHeight { get; set; }
    [Id(3)] public int Stride { get; set; }
    [Id(4)] public int BatchCount { get; set; }
    [Id(5)] public string OutputDirectory { get; set; } = "";
    [Id(6)] public bool Finished { get; set; }
    [Id(7)] public int Lesions { get; set; }
}
