using OrleansPathology.Model;
using OrleansPathology.Slides;
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

    /// <summary>
    /// Checks every path a run reads or writes against the data roots: the dataset, the run directory (checkpoints and
    /// published weights), the output weights, and each slide the dataset names. Throws <see cref="ArgumentException"/>
    /// with the path as given (never where a link leads).
    /// </summary>
    public static void CheckRoots(TrainingRunSpec spec, TrainingDataset dataset, DataRoots roots)
    {
        if (roots.AllowsAll) return;
        try
        {
            roots.Check(spec.DatasetPath, DataPathKind.Dataset);
            roots.Check(spec.RunDirectory, DataPathKind.Checkpoint);
            roots.Check(spec.OutputWeights, DataPathKind.Weights);
            foreach (var image in dataset.Training.Concat(dataset.Validation).Select(s => s.Image).Distinct(StringComparer.Ordinal))
                roots.Check(image, DataPathKind.Slide);
        }
        catch (DataRootException ex)
        {
            throw new ArgumentException(ex.Message);
        }
    }

    /// <summary>The dataset of <paramref name="spec"/>, read only once its file is known to lie inside the data roots.</summary>
    public static TrainingDataset ReadDataset(TrainingRunSpec spec, DataRoots roots)
    {
        try
        {
            roots.Check(spec.DatasetPath, DataPathKind.Dataset);
        }
        catch (DataRootException ex)
        {
            throw new ArgumentException(ex.Message);
        }
        var dataset = DatasetReader.ReadClaraJson(spec.DatasetPath);
        CheckRoots(spec, dataset, roots);
        return dataset;
    }

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
