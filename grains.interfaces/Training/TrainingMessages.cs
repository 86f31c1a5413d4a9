namespace OrleansPathology.Grains;

/// <summary>
/// What a data-parallel training run is: the dataset (a Clara-style dataset.json every silo can read), where its
/// checkpoints and weight versions go (<see cref="RunDirectory"/>, shared storage) and where the final weights go, how
/// many slices each global batch is cut into (<see cref="Workers"/>), and what fixes the maths (seed, batch, epochs,
/// precision, BatchNorm mode). Paths are absolute: silos resolve nothing against a client's working directory.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.TrainingRunSpec")]
public sealed record TrainingRunSpec(
    [property: Id(0)] string RunId,
    [property: Id(1)] string DatasetPath,
    [property: Id(2)] string RunDirectory,
    [property: Id(3)] string OutputWeights,
    [property: Id(4)] int Workers,
    [property: Id(5)] int Epochs,
    [property: Id(6)] int BatchSize,
    [property: Id(7)] ulong Seed,
    [property: Id(8)] string Precision = "fp32",
    [property: Id(9)] string BatchNorm = "PerSubBatch",
    [property: Id(10)] int? MaxStepsPerEpoch = null,
    [property: Id(11)] double LearningRate = 1e-3,
    [property: Id(12)] bool Augment = true,
    [property: Id(13)] int ValidationBatchSize = 64,
    [property: Id(14)] string Flip = "both",
    [property: Id(15)] string Schedule = "per-epoch");

/// <summary>A trainer's share of one step: load weights version <see cref="Version"/> if it has another, then compute samples <see cref="Offset"/>.. of the step's global batch.</summary>
[GenerateSerializer, Immutable, Alias("opath.GradientRequest")]
public sealed record GradientRequest(
    [property: Id(0)] TrainingRunSpec Run,
    [property: Id(1)] long Version,
    [property: Id(2)] string WeightsPath,
    [property: Id(3)] int Epoch,
    [property: Id(4)] int Step,
    [property: Id(5)] int Offset,
    [property: Id(6)] int Length,
    [property: Id(7)] double LossScale);

/// <summary>
/// A trainer's answer: the slice's gradient set as a tensor archive (pathology's <c>GradientSetArchive</c>, ~45 MB for
/// ResNet18) and where its time went.
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.GradientSlice")]
public sealed record GradientSlice(
    [property: Id(0)] string Trainer,
    [property: Id(1)] byte[] Payload,
    [property: Id(2)] long WeightBytesRead,
    [property: Id(3)] double LoadSeconds,
    [property: Id(4)] double ReadSeconds,
    [property: Id(5)] double ComputeSeconds,
    [property: Id(6)] double EncodeSeconds);

/// <summary>A trainer's share of a validation pass: samples <see cref="Start"/>.. of the validation list with weights version <see cref="Version"/>.</summary>
[GenerateSerializer, Immutable, Alias("opath.EvaluationRequest")]
public sealed record EvaluationRequest(
    [property: Id(0)] TrainingRunSpec Run,
    [property: Id(1)] long Version,
    [property: Id(2)] string WeightsPath,
    [property: Id(3)] int Start,
    [property: Id(4)] int Length);

/// <summary>Validation totals of one slice.</summary>
[GenerateSerializer, Immutable, Alias("opath.EvaluationSlice")]
public sealed record EvaluationSlice(
    [property: Id(0)] string Trainer,
    [property: Id(1)] int Samples,
    [property: Id(2)] int Correct,
    [property: Id(3)] double LossSum);

/// <summary>One finished epoch of a run.</summary>
[GenerateSerializer, Immutable, Alias("opath.TrainingEpoch")]
public sealed record TrainingEpoch(
    [property: Id(0)] int Epoch,
    [property: Id(1)] int Steps,
    [property: Id(2)] double TrainLoss,
    [property: Id(3)] double TrainAccuracy,
    [property: Id(4)] double? ValidationLoss,
    [property: Id(5)] double? ValidationAccuracy,
    [property: Id(6)] double PatchesPerSecond,
    [property: Id(7)] string Checkpoint);

/// <summary>
/// What one synchronous step cost in communication: bytes of weights written once and read by the trainers, bytes of
/// gradients shipped back, and the seconds of each phase as the coordinator saw them (wall clock).
/// </summary>
[GenerateSerializer, Immutable, Alias("opath.StepCommunication")]
public sealed record StepCommunication(
    [property: Id(0)] int Slices,
    [property: Id(1)] int Trainers,
    [property: Id(2)] long WeightBytesWritten,
    [property: Id(3)] long WeightBytesRead,
    [property: Id(4)] long GradientBytes,
    [property: Id(5)] double WriteWeightsSeconds,
    [property: Id(6)] double GatherSeconds,
    [property: Id(7)] double SlowestComputeSeconds,
    [property: Id(8)] double DecodeAverageApplySeconds,
    [property: Id(9)] double StepSeconds);

/// <summary>Where a run stands, for <c>opath train</c>'s progress and for tests.</summary>
[GenerateSerializer, Immutable, Alias("opath.TrainingStatus")]
public sealed record TrainingStatus(
    [property: Id(0)] string RunId,
    [property: Id(1)] RunState State,
    [property: Id(2)] int Epoch,
    [property: Id(3)] int Epochs,
    [property: Id(4)] int Step,
    [property: Id(5)] int StepsPerEpoch,
    [property: Id(6)] long GlobalStep,
    [property: Id(7)] double? LastLoss,
    [property: Id(8)] double PatchesPerSecond,
    [property: Id(9)] IReadOnlyList<TrainingEpoch> History,
    [property: Id(10)] IReadOnlyList<double> StepLosses,
    [property: Id(11)] string? LastCheckpoint,
    [property: Id(12)] string? Error,
    [property: Id(13)] StepCommunication? LastStep,
    [property: Id(14)] IReadOnlyList<string> Trainers,
    [property: Id(15)] string OutputWeights,
    [property: Id(16)] int Resumes,
    [property: Id(17)] int ReissuedSlices,
    [property: Id(18)] IReadOnlyList<StepCommunication> RecentSteps);
