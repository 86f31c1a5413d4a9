using OrleansPathology.Model;

namespace OrleansPathology.Training;

/// <summary>
/// A training run's settings. Defaults follow the pathology_tumor_detection bundle (MONAI model zoo
/// <c>configs/train.json</c>) where it says: Novograd at lr 1e-3 with cosine annealing, BCE with logits, 4 epochs, the
/// bundle's augmentations, seed 15 (its <c>set_determinism(seed=15)</c>). The global batch is 32 (the bundle's 128 is
/// for 8 GPUs with 9 patches per region read).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs of the run; with <see cref="StepsPerEpoch"/> this fixes the schedule's length. Default 4.</summary>
    public int Epochs { get; init; } = 4;

    /// <summary>Samples per optimizer step. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>
    /// Sub-batches each global batch is split into; their gradients are averaged before the one optimizer step (as
    /// workers of a cluster would compute them). Default 1. See <see cref="BatchNormMode"/> for how BatchNorm is affected.
    /// </summary>
    public int SubBatches { get; init; } = 1;

    /// <summary>Caps the steps of each epoch (short runs and tests); null runs the whole training list. Default null.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Leave out the tail of an epoch shorter than a batch (full batches for BatchNorm). Default true.</summary>
    public bool DropLast { get; init; } = true;

    /// <summary>Novograd's hyper-parameters; the learning rate is the schedule's start. Default MONAI's.</summary>
    public NovogradSettings Optimizer { get; init; } = new();

    /// <summary>How often the cosine schedule moves. Default <see cref="ScheduleStepping.PerEpoch"/>, the bundle's.</summary>
    public ScheduleStepping Schedule { get; init; } = ScheduleStepping.PerEpoch;

    /// <summary>Where the cosine schedule ends. Default 0 (CosineAnnealingLR's eta_min).</summary>
    public double MinimumLearningRate { get; init; }

    /// <summary>Device and precision: cpu fp32 or bf16, cuda fp32 or fp16 (with dynamic loss scaling). Default cpu fp32.</summary>
    public ComputeDevice Device { get; init; } = new("cpu", Precision.Fp32);

    /// <summary>How BatchNorm treats sub-batches. Default <see cref="BatchNormMode.PerSubBatch"/> (train mode).</summary>
    public BatchNormMode BatchNorm { get; init; } = BatchNormMode.PerSubBatch;

    /// <summary>Seeds the initial weights, each epoch's order and each patch's augmentation. Default 15.</summary>
    public ulong Seed { get; init; } = 15;

    /// <summary>Training augmentations. Default the bundle's; <see cref="AugmentationOptions.None"/> for none.</summary>
    public AugmentationOptions Augmentation { get; init; } = new();

    /// <summary>How patches are read: read-ahead depth and threads.</summary>
    public PatchSamplerOptions Sampler { get; init; } = new();

    /// <summary>Patches per validation forward pass. Default 64.</summary>
    public int ValidationBatchSize { get; init; } = 64;

    /// <summary>Validate after every epoch when the dataset has a validation list. Default true.</summary>
    public bool ValidateEachEpoch { get; init; } = true;

    /// <summary>Check every slide and window before the run (<see cref="DatasetValidator"/>). Default true.</summary>
    public bool ValidateDataset { get; init; } = true;

    /// <summary>Folder for per-epoch checkpoints; null writes none. Default null.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException($"epochs must be at least 1 (got {Epochs})");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1 (got {BatchSize})");
        if (SubBatches < 1 || SubBatches > BatchSize) throw new ArgumentException($"sub-batches must be 1 to the batch size {BatchSize} (got {SubBatches})");
        if (BatchNorm == BatchNormMode.PerSubBatch && BatchSize / SubBatches < 2)
            throw new ArgumentException($"with train-mode BatchNorm every sub-batch needs at least 2 patches: batch {BatchSize} / {SubBatches} sub-batches is too small");
        if (MaxStepsPerEpoch is < 1) throw new ArgumentException($"max steps per epoch must be at least 1 (got {MaxStepsPerEpoch})");
        if (!(Optimizer.LearningRate > 0)) throw new ArgumentException($"learning rate must be positive (got {Optimizer.LearningRate})");
        if (!(MinimumLearningRate >= 0 && MinimumLearningRate <= Optimizer.LearningRate))
            throw new ArgumentException($"minimum learning rate must be in [0, {Optimizer.LearningRate}] (got {MinimumLearningRate})");
        if (ValidationBatchSize < 1) throw new ArgumentException($"validation batch size must be at least 1 (got {ValidationBatchSize})");
        if (Device.Precision == Precision.Fp16 && !Device.IsCuda) throw new ArgumentException("fp16 training is for CUDA devices; on cpu use bf16 or fp32");
        Augmentation.Validate();
    }
}

/// <summary>The part of a run <see cref="TrainingProgress"/> reports on.</summary>
public enum TrainingPhase
{
    Train,
    Validate,
}

/// <summary>A progress report: after every training step, and after every validation batch.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Steps (or validation batches) done in this epoch's phase.</param>
/// <param name="Steps">Steps (or validation batches) of the phase.</param>
/// <param name="GlobalStep">Optimizer steps taken in the run.</param>
/// <param name="Loss">Mean loss of the last step (train) or so far (validate).</param>
/// <param name="LearningRate">Rate of the last step (train).</param>
/// <param name="LossScale">fp16 loss scale after the step (1 otherwise).</param>
/// <param name="Skipped">The step was skipped for non-finite fp16 gradients.</param>
/// <param name="PatchesPerSecond">Patches per second in this phase so far.</param>
public sealed record TrainingProgress(TrainingPhase Phase, int Epoch, int Step, int Steps, long GlobalStep, double Loss, double? LearningRate,
    double LossScale, bool Skipped, double PatchesPerSecond);

/// <summary>Validation outcome: patch accuracy (sigmoid > 0.5 against the label) and mean BCE loss.</summary>
public sealed record ValidationResult(int Samples, int Correct, double Loss, TimeSpan Elapsed)
{
    public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;
}

/// <summary>One epoch of a run.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="StepLosses">The loss curve: each step's mean training loss.</param>
/// <param name="LearningRates">Each step's learning rate.</param>
/// <param name="CheckpointPath">The weights file written for this epoch, if any.</param>
public sealed record EpochResult(
    int Epoch,
    int Steps,
    int SkippedSteps,
    int Patches,
    double TrainLoss,
    double TrainAccuracy,
    TimeSpan TrainElapsed,
    ValidationResult? Validation,
    IReadOnlyList<double> StepLosses,
    IReadOnlyList<double> LearningRates,
    string? CheckpointPath)
{
    /// <summary>Training throughput: patches through forward and backward per second of the epoch's training phase, reading included.</summary>
    public double PatchesPerSecond => TrainElapsed.TotalSeconds > 0 ? Patches / TrainElapsed.TotalSeconds : 0;
}
