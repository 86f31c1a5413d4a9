using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Grains.Training;

/// <summary>The pathology <see cref="TrainerOptions"/> a run spec stands for, on a given device.</summary>
public static class TrainingRunOptions
{
    /// <summary>
    /// The options of <paramref name="spec"/> computing on <paramref name="device"/>: the dataset is not re-validated (the
    /// coordinator did that once), no checkpoint directory (the coordinator writes checkpoints), the spec's slices as sub-batches.
    /// </summary>
    public static TrainerOptions For(TrainingRunSpec spec, ComputeDevice device) => new()
    {
        Epochs = spec.Epochs,
        BatchSize = spec.BatchSize,
        SubBatches = Math.Min(spec.Workers, spec.BatchSize),
        MaxStepsPerEpoch = spec.MaxStepsPerEpoch,
        Optimizer = new NovogradSettings(LearningRate: spec.LearningRate),
        Device = device,
        BatchNorm = BatchNormModes.Parse(spec.BatchNorm),
        Seed = spec.Seed,
        Augmentation = spec.Augment ? new AugmentationOptions { Flip = FlipModes.Parse(spec.Flip) } : AugmentationOptions.None,
        Schedule = ScheduleSteppings.Parse(spec.Schedule),
        ValidationBatchSize = spec.ValidationBatchSize,
        ValidateDataset = false,
    };

    /// <summary>The coordinator's options: fp32 master weights on the CPU whatever the trainers compute in.</summary>
    public static TrainerOptions ForCoordinator(TrainingRunSpec spec) => For(spec, new ComputeDevice("cpu", Precision.Fp32));

    /// <summary>Checks a spec before a run starts; throws <see cref="ArgumentException"/> naming the bad value.</summary>
    public static void Validate(TrainingRunSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.RunId)) throw new ArgumentException("the run id is empty");
        foreach (var (name, path) in new[] { ("dataset", spec.DatasetPath), ("run directory", spec.RunDirectory), ("output weights", spec.OutputWeights) })
        {
            if (!Path.IsPathFullyQualified(path)) throw new ArgumentException($"the {name} path '{path}' must be absolute (silos do not share the client's working directory)");
        }
        if (spec.Workers < 1) throw new ArgumentException($"workers must be at least 1 (got {spec.Workers})");
        if (spec.Workers > spec.BatchSize) throw new ArgumentException($"{spec.Workers} workers cannot share a batch of {spec.BatchSize}");
        if (!Precisions.TryParse(spec.Precision, out var precision) || precision == Precision.Fp16)
            throw new ArgumentException($"precision '{spec.Precision}' is not supported for cluster training (fp32 or bf16; fp16 needs a loss scaler shared by coordinator and trainers)");
        BatchNormModes.Parse(spec.BatchNorm);
        FlipModes.Parse(spec.Flip);
        ScheduleSteppings.Parse(spec.Schedule);
        ForCoordinator(spec).Validate();
    }
}
