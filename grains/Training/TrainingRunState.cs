namespace OrleansPathology.Grains.Training;

/// <summary>
/// What a training coordinator persists (grain storage <see cref="PathologyGrainOptions.StorageName"/>): the run's spec,
/// where it stands at its last checkpoint, the curves so far, and how it ended. Written at the start, after each epoch's
/// checkpoint and at the end; steps between checkpoints are recomputed after a crash (the same data and weights give the
/// same steps). <see cref="Format"/> versions the record: fields are only ever added, with new ids.
/// </summary>
[GenerateSerializer, Alias("opath.TrainingRunState")]
public sealed class TrainingRunState
{
    public const int CurrentFormat = 1;

    [Id(0)] public int Format { get; set; } = CurrentFormat;
    [Id(1)] public TrainingRunSpec? Spec { get; set; }
    [Id(2)] public RunState State { get; set; }
    [Id(3)] public int CompletedEpochs { get; set; }
    [Id(4)] public long GlobalStep { get; set; }

    /// <summary>The last checkpoint's state file (<c>epoch-NNN.training.json</c>), or null before the first.</summary>
    [Id(5)] public string? LastCheckpoint { get; set; }

    [Id(6)] public List<TrainingEpoch> History { get; set; } = [];

    /// <summary>Mean training loss of every step up to the last checkpoint (the loss curve).</summary>
    [Id(7)] public List<double> StepLosses { get; set; } = [];

    [Id(8)] public string? Error { get; set; }

    /// <summary>Times the run was picked up again by a new activation (its silo died, or the cluster restarted).</summary>
    [Id(9)] public int Resumes { get; set; }

    [Id(10)] public int StepsPerEpoch { get; set; }
}
