namespace OrleansPathology.Grains.Slides;

/// <summary>What a slide grain persists. Batches are not stored: planning is deterministic and done batches live in the map's store.</summary>
[GenerateSerializer, Alias("opath.SlideState")]
public sealed class SlideState
{
    [Id(0)] public CohortSpec? Cohort { get; set; }
    [Id(1)] public SlideSpec? Slide { get; set; }
    [Id(2)] public RunState State { get; set; }
    [Id(3)] public string? Error { get; set; }
    [Id(4)] public int BatchesTotal { get; set; }
    [Id(5)] public long CellsTotal { get; set; }
    [Id(6)] public int Lesions { get; set; }
}
