using System.Diagnostics;
using System.Globalization;
using OrleansPathology.Model;
using TorchSharp;

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
    private readonly FcnResNet18 _master;
    private readonly GradientComputer _computer;
    private readonly ParameterUpdater _updater;
    private readonly PatchSampler _trainSampler;
    private readonly PatchSampler _validationSampler;
    private readonly List<EpochSummary> _history = [];
    private int _running;

    /// <summary>
    /// A run from <paramref name="initialWeights"/> (owned from now on; e.g. ImageNet or imported weights), or from
    /// weights drawn from the seed (<see cref="SeededInitialisation"/>) when null. Checks the dataset's slides and
    /// windows first unless <see cref="TrainerOptions.ValidateDataset"/> is off.
    /// </summary>
    public Trainer(TrainingDataset dataset, TrainerOptions options, FcnResNet18? initialWeights = null)
        : this(dataset, options, initialWeights, resume: null)
    {
    }

    private Trainer(TrainingDataset dataset, TrainerOptions options, FcnResNet18? initialWeights, TrainingCheckpointState? resume)
    {
        options.Validate();
        if (dataset.Training.Count == 0) throw new ArgumentException($"{dataset.Source}: the dataset has no training samples");
        if (options.ValidateDataset) DatasetValidator.Validate(dataset, options.Sampler.PatchSize);
        _dataset = dataset;
        _options = options;

        _master = initialWeights ?? new FcnResNet18();
        if (initialWeights is null) SeededInitialisation.Apply(_master, options.Seed);
        _master.to(options.Device.TorchDevice);
        _master.to(TorchSharp.torch.ScalarType.Float32);
        _computer = new GradientComputer(new FcnResNet18(), options.Device, options.BatchNorm);

        var planSteps = EpochPlan.Create(dataset.Training.Count, options.Seed, 0, options.BatchSize, options.DropLast).StepCount;
        StepsPerEpoch = Math.Min(planSteps, options.MaxStepsPerEpoch ?? planSteps);
        var schedule = new CosineAnnealingSchedule(options.Optimizer.LearningRate, (long)options.Epochs * StepsPerEpoch, options.MinimumLearningRate);
        var scaler = options.Device.Precision == Precision.Fp16
            ? resume?.LossScaler is { } saved ? DynamicLossScaler.Restore(saved) : new DynamicLossScaler()
            : null;
        _updater = new ParameterUpdater(_master, options.Optimizer, schedule, scaler, resume?.GlobalStep ?? 0);
        CompletedEpochs = resume?.CompletedEpochs ?? 0;
        if (resume is not null) _history.AddRange(resume.History);

        _trainSampler = new PatchSampler(dataset.Training, options.Sampler, new PatchAugmenter(options.Augmentation, options.Sampler.PatchSize), options.Seed);
        _validationSampler = new PatchSampler(dataset.Validation, options.Sampler);
    }

    /// <summary>
    /// Continues a run from a checkpoint's state file (<c>epoch-NNN.training.json</c>): its weights, Novograd moments,
    /// step count and loss scale. <paramref name="options"/> must give the same seed, batch size, epochs and steps per
    /// epoch as the checkpoint (they fix the order and the schedule); device, precision and sub-batches may differ.
    /// </summary>
    public static Trainer Resume(TrainingDataset dataset, TrainerOptions options, string statePath)
    {
        var state = TrainingCheckpoint.ReadState(statePath);
        void Same<T>(string name, T saved, T given)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, given))
                throw new ArgumentException($"{statePath}: the checkpoint was made with {name} {saved}, the options give {given}");
        }
        Same("seed", state.Seed, options.Seed);
        Same("batch size", state.BatchSize, options.BatchSize);
        Same("epochs", state.Epochs, options.Epochs);
        Same("training samples", state.TrainingSamples, dataset.Training.Count);

        var (model, _) = ModelWeights.Load(TrainingCheckpoint.Resolve(statePath, state.Weights));
        var trainer = new Trainer(dataset, options, model, state);
        try
        {
            Same("steps per epoch", state.StepsPerEpoch, trainer.StepsPerEpoch);
            trainer._updater.Optimizer.load_state_dict(TrainingCheckpoint.Resolve(statePath, state.OptimizerState));
            return trainer;
        }
        catch
        {
            trainer.Dispose();
            throw;
        }
    }

    /// <summary>The fp32 master weights (what checkpoints save and inference can load).</summary>
    public FcnResNet18 Model => _master;

    public TrainerOptions Options => _options;

    /// <summary>Epochs finished so far; the next <see cref="RunEpochAsync"/> runs epoch number <see cref="CompletedEpochs"/> (0-based).</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>Optimizer steps taken so far (skipped fp16 steps included).</summary>
    public long GlobalStep => _updater.Step;

    /// <summary>Global batches per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The loss scale the next step uses (1 unless fp16).</summary>
    public double LossScale => _updater.LossScale;

    /// <summary>Summaries of the epochs run so far (those before a resume included).</summary>
    public IReadOnlyList<EpochSummary> History => _history;

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
            CompletedEpochs = epoch + 1;
            var result = new EpochResult(epoch, losses.Count, skipped, patches, patches == 0 ? 0 : lossSum / patches, patches == 0 ? 0 : (double)correct / patches,
                clock.Elapsed, validation, losses, rates, null);
            _history.Add(new EpochSummary(epoch, result.Steps, skipped, result.TrainLoss, result.TrainAccuracy, validation?.Loss, validation?.Accuracy, result.PatchesPerSecond));
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
        _computer.LoadWeights(_master);
        var parts = EpochPlan.Split(batch.Count, Math.Min(_options.SubBatches, batch.Count));
        var sets = new List<GradientSet>(parts.Count);
        try
        {
            foreach (var (start, length) in parts)
                sets.Add(_computer.Compute(parts.Count == 1 ? batch : batch.Slice(start, length), _updater.LossScale));
            using var averaged = sets.Count == 1 ? null : GradientSet.Average(sets);
            var combined = averaged ?? sets[0];
            var outcome = _updater.Apply(combined);
            return new StepResult(outcome, combined.Samples, combined.MeanLoss, combined.Correct);
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
        _computer.LoadWeights(_master);
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
    public string SaveCheckpoint(string directory)
    {
        var last = _history.Count > 0 ? _history[^1] : null;
        var facts = new Dictionary<string, string>
        {
            ["epochs"] = CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["plannedEpochs"] = _options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["globalStep"] = GlobalStep.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = _dataset.Source,
            ["trainingSamples"] = _dataset.Training.Count.ToString(CultureInfo.InvariantCulture),
            ["validationSamples"] = _dataset.Validation.Count.ToString(CultureInfo.InvariantCulture),
            ["batchSize"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["subBatches"] = _options.SubBatches.ToString(CultureInfo.InvariantCulture),
            ["device"] = _options.Device.ToString(),
            ["optimizer"] = $"Novograd lr {_options.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)} betas ({_options.Optimizer.Beta1.ToString(CultureInfo.InvariantCulture)}, {_options.Optimizer.Beta2.ToString(CultureInfo.InvariantCulture)}), cosine annealing over {_updater.Schedule.TotalSteps} steps",
            ["loss"] = "BCEWithLogitsLoss",
        };
        if (last is not null)
        {
            facts["trainLoss"] = last.TrainLoss.ToString("R", CultureInfo.InvariantCulture);
            facts["trainAccuracy"] = last.TrainAccuracy.ToString("R", CultureInfo.InvariantCulture);
            if (last.ValidationAccuracy is { } accuracy) facts["validationAccuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture);
            if (last.ValidationLoss is { } loss) facts["validationLoss"] = loss.ToString("R", CultureInfo.InvariantCulture);
        }
        var card = new ModelCard
        {
            Provenance = new ModelProvenance("trained", Seed: unchecked((long)_options.Seed), Source: _dataset.Source,
                Notes: $"trained {CompletedEpochs} of {_options.Epochs} epochs on {_dataset.Training.Count} patches", Training: facts),
        };
        var state = new TrainingCheckpointState
        {
            CompletedEpochs = CompletedEpochs,
            GlobalStep = GlobalStep,
            Epochs = _options.Epochs,
            StepsPerEpoch = StepsPerEpoch,
            Seed = _options.Seed,
            BatchSize = _options.BatchSize,
            SubBatches = _options.SubBatches,
            BatchNorm = _options.BatchNorm.ToString(),
            Device = _options.Device.ToString(),
            Optimizer = _options.Optimizer,
            Schedule = _updater.Schedule,
            LossScaler = _updater.Scaler?.Save(),
            Weights = "",
            OptimizerState = "",
            Dataset = _dataset.Source,
            TrainingSamples = _dataset.Training.Count,
            ValidationSamples = _dataset.Validation.Count,
            History = _history.ToList(),
        };
        var statePath = TrainingCheckpoint.Save(directory, _master, card, _updater.Optimizer, state);
        return TrainingCheckpoint.Resolve(statePath, TrainingCheckpoint.Stem(CompletedEpochs) + TrainingCheckpoint.WeightsSuffix);
    }

    public void Dispose()
    {
        _trainSampler.Dispose();
        _validationSampler.Dispose();
        _updater.Dispose();
        _computer.Dispose();
        _master.Dispose();
    }
}
