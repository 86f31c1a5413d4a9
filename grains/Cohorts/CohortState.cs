namespace OrleansPathology.Grains.Cohorts;

/// <summary>What a cohort grain persists: the spec as submitted, timestamps, and each finished slide's outcome.</summary>
[GenerateSerializer, Alias("opath.CohortState")]
public sealed class CohortState
{
    [Id(0)] public CohortSpec? Spec { get; set; }
    [Id(1)] public DateTimeOffset SubmittedAt { get; set; }
    [Id(2)] public DateTimeOffset? FinishedAt { get; set; }
    [Id(3)] public Dictionary<string, SlideProgress> Finished { get; set; } = [];
    [Id(4)] public bool Cancelled { get; set; }
}
