using System.Diagnostics;
using OrleansPathology.Model;

namespace OrleansPathology.Training;

/// <summary>The outcome of one global batch: the optimizer step and the batch's loss and hits.</summary>
public sealed record StepResult(StepOutcome Outcome, int Samples, double MeanLoss, int Correct);

/// <summary>
/// Trains <see cref="FcnResNet18"/> on one process, epoch by epoch: each step reads a global batch
/// (<see cref="PatchSampler"/>, read ahead while the network computes), splits it into K sub-batches whose
/// gradients a <see cref="GradientComputer"/> computes and <see cref="GradientSet.Average"/> combines, and lets a
/// <see cref="ParameterUpdater"/> take the one Novograd step. After each epoch it measures validation patch accuracy and,
/// if asked, writes a checkpoint that <see cref="Resume"/> continues from. The same seed gives the same run.
/// Not thread-safe: one epoch at a time.
/// </summary>
public sealed class Trainer : IDisposable
{
    private readonly TrainingDataset _dataset;
    private readonly TrainerOptions _options;
    private readonly TrainingMaster _run;
    private readonly GradientComputer _computer;
    private readonly PatchSampler _trainSampler;
    private readonly PatchSampler _validationSampler;
    private int _running;

    /// <summary>
    /// A run from <paramref name="initialWeights"/> (owned from now on; e.g. ImageNet or imported weights), or from
    /// weights drawn from the seed (<see cref="SeededInitialisation"/>) when null. Checks the dataset's slides and
    /// windows first unless <see cref="TrainerOptions.ValidateDataset"/> is off.
    /// </summary>
    public Trainer(TrainingDataset dataset, TrainerOptions options, FcnResNet18? initialWeights = null)
        : this(dataset, options, () => TrainingMaster.Create(dataset, options, initialWeights))
    {
    }

    private Trainer(TrainingDataset dataset, TrainerOptions options, Func<TrainingMaster> master)
    {
        options.Validate();
        if (dataset.Training.Count == 0) throw new ArgumentException($"{dataset.Source}: the dataset has no training samples");
        if (options.ValidateDataset) DatasetValidator.Validate(dataset, options.Sampler.PatchSize);
        _dataset = dataset;
        _options = options;
        _run = master();
        _computer = new GradientComputer(new FcnResNet18(), options.Device, options.BatchNorm);
        _trainSampler = new PatchSampler(dataset.Training, options.Sampler, new PatchAugmenter(options.Augmentation, options.Sampler.PatchSize), options.Seed);
        _validationSampler = new PatchSampler(dataset.Validation, options.Sampler);
    }

    /// <summary>
    /// Continues a run from a checkpoint's state file (<c>epoch-NNN.training.json</c>): its weights, Novograd moments,
    /// step count and loss scale. <paramref name="options"/> must give the same seed, batch size, epochs and steps per
    /// epoch as the checkpoint (they fix the order and the schedule); device, precision and sub-batches may differ.
    /// </summary>
    public static Trainer Resume(TrainingDataset dataset, TrainerOptions options, string statePath) =>
        new(dataset, options, () => TrainingMaster.Resume(dataset, options, statePath));

    /// <summary>The fp32 master weights (what checkpoints save and inference can load).</summary>
    public FcnResNet18 Model => _run.Model;

    public TrainerOptions Options => _options;

    /// <summary>Epochs finished so far; the next <see cref="RunEpochAsync"/> runs epoch number <see cref="CompletedEpochs"/> (0-based).</summary>
    public int CompletedEpochs => _run.CompletedEpochs;

    /// <summary>Optimizer steps taken so far (skipped fp16 steps included).</summary>
    public long GlobalStep => _run.GlobalStep;

    /// <summary>Global batches per epoch.</summary>
    public int StepsPerEpoch => _run.StepsPerEpoch;

    /// <summary>The loss scale the next step uses (1 unless fp16).</summary>
    public double LossScale => _run.LossScale;

    /// <summary>Summaries of the epochs run so far (those before a resume included).</summary>
    public IReadOnlyList<EpochSummary> History => _run.History;

    /// <summary>
    /// Runs the next epoch: its steps, then validation (unless switched off or the list is empty), then a checkpoint
    /// (when <see cref="TrainerOptions.CheckpointDirectory"/> is set). Reports each step and validation batch.
    /// Cancelling stops between steps; the weights then hold the steps taken, and no checkpoint is written.
    /// </summary>
    public async Task<EpochResult> RunEpochAsync(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0) throw new InvalidOperationException("an epoch is already running on this trainer");
        try
        {
            var epoch = CompletedEpochs;
            if (epoch >= _options.Epochs) throw new InvalidOperationException($"all {_options.Epochs} epochs of the run are done");
            var plan = EpochPlan.Create(_dataset.Training.Count, _options.Seed, epoch, _options.BatchSize, _options.DropLast);
            var losses = new List<double>(StepsPerEpoch);
            var rates = new List<double>(StepsPerEpoch);
            int patches = 0, correct = 0, skipped = 0;
            double lossSum = 0;
            var clock = Stopwatch.StartNew();
            await foreach (var batch in _trainSampler.ReadEpochAsync(plan, 0, StepsPerEpoch, cancellationToken).ConfigureAwait(false))
            {
                var step = TrainStep(batch);
                losses.Add(step.MeanLoss);
                rates.Add(step.Outcome.LearningRate);
                patches += step.Samples;
                correct += step.Correct;
                lossSum += step.MeanLoss * step.Samples;
                if (!step.Outcome.Applied) skipped++;
                progress?.Report(new TrainingProgress(TrainingPhase.Train, epoch, losses.Count, StepsPerEpoch, GlobalStep, step.MeanLoss,
                    step.Outcome.LearningRate, step.Outcome.LossScale, !step.Outcome.Applied, patches / clock.Elapsed.TotalSeconds));
                cancellationToken.ThrowIfCancellationRequested();
            }
            clock.Stop();

            var validation = _options.ValidateEachEpoch && _dataset.Validation.Count > 0
                ? await ValidateAsync(progress, cancellationToken).ConfigureAwait(false)
                : null;
            var result = new EpochResult(epoch, losses.Count, skipped, patches, patches == 0 ? 0 : lossSum / patches, patches == 0 ? 0 : (double)correct / patches,
                clock.Elapsed, validation, losses, rates, null);
            _run.CompleteEpoch(new EpochSummary(epoch, result.Steps, skipped, result.TrainLoss, result.TrainAccuracy, validation?.Loss, validation?.Accuracy, result.PatchesPerSecond));
            if (_options.CheckpointDirectory is { } directory)
                result = result with { CheckpointPath = SaveCheckpoint(directory) };
            return result;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>
    /// One global batch: the master's weights go to the compute copy, each of the K sub-batches gives a
    /// <see cref="GradientSet"/>, their average makes one optimizer step.
    /// </summary>
    public StepResult TrainStep(PatchBatch batch)
    {
        _computer.LoadWeights(_run.Model);
        var parts = EpochPlan.Split(batch.Count, Math.Min(_options.SubBatches, batch.Count));
        var sets = new List<GradientSet>(parts.Count);
        try
        {
            foreach (var (start, length) in parts)
                sets.Add(_computer.Compute(parts.Count == 1 ? batch : batch.Slice(start, length), _run.LossScale));
            return _run.Apply(sets);
        }
        finally
        {
            foreach (var set in sets) set.Dispose();
        }
    }

    /// <summary>Patch accuracy (sigmoid > 0.5) and mean loss over the whole validation list, in the compute precision.</summary>
    public async Task<ValidationResult> ValidateAsync(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        _computer.LoadWeights(_run.Model);
        var batches = (_dataset.Validation.Count + _options.ValidationBatchSize - 1) / _options.ValidationBatchSize;
        int samples = 0, correct = 0, done = 0;
        double lossSum = 0;
        await foreach (var batch in _validationSampler.ReadInOrderAsync(_options.ValidationBatchSize, cancellationToken).ConfigureAwait(false))
        {
            var (loss, hits, _) = _computer.Evaluate(batch);
            samples += batch.Count;
            correct += hits;
            lossSum += loss;
            done++;
            progress?.Report(new TrainingProgress(TrainingPhase.Validate, CompletedEpochs, done, batches, GlobalStep, lossSum / samples, null, LossScale, false,
                samples / clock.Elapsed.TotalSeconds));
        }
        return new ValidationResult(samples, correct, samples == 0 ? 0 : lossSum / samples, clock.Elapsed);
    }

    /// <summary>Writes the checkpoint of the epochs completed so far into <paramref name="directory"/>; returns the weights file's path.</summary>
    public string SaveCheckpoint(string directory) => _run.SaveCheckpoint(directory);

    public void Dispose()
    {
        _trainSampler.Dispose();
        _validationSampler.Dispose();
        _computer.Dispose();
        _run.Dispose();
    }
}
