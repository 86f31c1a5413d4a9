using System.ComponentModel.DataAnnotations;

namespace OrleansPathology.Grains.Training;

/// <summary>
/// How training coordinators treat their trainers, and how often silos revive runs (section <see cref="SectionName"/>).
/// Trainers themselves need no settings: every silo runs one per device of <c>Workers:Devices</c>, keyed <c>{SiloName}/{device}</c>.
/// </summary>
public sealed class TrainingOptions
{
    public const string SectionName = "Training";

    /// <summary>
    /// Attempts at one slice (on different live trainers where there are several) before the run fails with the last
    /// error. A trainer whose silo dies fails its call once the cluster declares the silo dead. Default 5.
    /// </summary>
    [Range(1, 100)]
    public int SliceAttempts { get; set; } = 5;

    /// <summary>Pause before a failed slice is tried again (lets membership catch up with a dead silo). Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often every silo calls the coordinator of each run the training registry lists as running, which reactivates
    /// on a live silo, and resumes from its last checkpoint, a coordinator whose silo died. Default 15 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReviveInterval { get; set; } = TimeSpan.FromSeconds(15);
}
