using System.Globalization;
using OrleansPathology.Model;
using TorchSharp;

namespace OrleansPathology.Training;

/// <summary>
/// The coordinator's side of a run, wherever the gradients come from: the fp32 master weights, the
/// <see cref="ParameterUpdater"/> (Novograd, cosine schedule, loss scaler), the epochs and steps done, the epoch history,
/// and the checkpoints (<see cref="SaveCheckpoint"/>, <see cref="Resume"/>). The <see cref="Trainer"/> feeds it
/// gradients computed in its own process; a cluster coordinator feeds it the averaged gradients of its trainers and
/// broadcasts the new weights with <see cref="WriteWeights"/>. Not thread-safe.
/// </summary>
public sealed class TrainingMaster : IDisposable
{
    private readonly TrainingDataset _dataset;
    private readonly FcnResNet18 _master;
    private readonly ParameterUpdater _updater;
    private readonly List<EpochSummary> _history = [];

    private TrainingMaster(TrainingDataset dataset, TrainerOptions options, FcnResNet18? initialWeights, TrainingCheckpointState? resume)
    {
        options.Validate();
        if (dataset.Training.Count == 0) throw new ArgumentException($"{dataset.Source}: the dataset has no training samples");
        _dataset = dataset;
        Options = options;
        _master = initialWeights ?? new FcnResNet18();
        if (initialWeights is null) SeededInitialisation.Apply(_master, options.Seed);
        _master.to(options.Device.TorchDevice);
        _master.to(torch.ScalarType.Float32);

        StepsPerEpoch = StepsPerEpochOf(dataset.Training.Count, options);
        var schedule = CosineAnnealingSchedule.For(options.Schedule, options.Optimizer.LearningRate, options.Epochs, StepsPerEpoch, options.MinimumLearningRate);
        var scaler = options.Device.Precision == Precision.Fp16
            ? resume?.LossScaler is { } saved ? DynamicLossScaler.Restore(saved) : new DynamicLossScaler()
            : null;
        _updater = new ParameterUpdater(_master, options.Optimizer, schedule, scaler, resume?.GlobalStep ?? 0);
        CompletedEpochs = resume?.CompletedEpochs ?? 0;
        if (resume is not null) _history.AddRange(resume.History);
    }

    /// <summary>A new run from <paramref name="initialWeights"/> (owned from now on), or from weights drawn from the seed when null.</summary>
    public static TrainingMaster Create(TrainingDataset dataset, TrainerOptions options, FcnResNet18? initialWeights = null) =>
        new(dataset, options, initialWeights, resume: null);

    /// <summary>
    /// Continues a run from a checkpoint's state file (<c>epoch-NNN.training.json</c>): its weights, Novograd moments,
    /// step count and loss scale. <paramref name="options"/> must give the same seed, batch size, epochs and steps per
    /// epoch as the checkpoint (they fix the order and the schedule); device, precision and sub-batches may differ.
    /// </summary>
    public static TrainingMaster Resume(TrainingDataset dataset, TrainerOptions options, string statePath)
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
        Same("steps per epoch", state.StepsPerEpoch, StepsPerEpochOf(dataset.Training.Count, options));

        var (model, _) = ModelWeights.Load(TrainingCheckpoint.Resolve(statePath, state.Weights));
        var master = new TrainingMaster(dataset, options, model, state);
        try
        {
            master._updater.Optimizer.load_state_dict(TrainingCheckpoint.Resolve(statePath, state.OptimizerState));
            return master;
        }
        catch
        {
            master.Dispose();
            throw;
        }
    }

    /// <summary>Global batches per epoch: the plan's steps, capped by <see cref="TrainerOptions.MaxStepsPerEpoch"/>.</summary>
    public static int StepsPerEpochOf(int trainingSamples, TrainerOptions options)
    {
        var planSteps = EpochPlan.Create(trainingSamples, options.Seed, 0, options.BatchSize, options.DropLast).StepCount;
        return Math.Min(planSteps, options.MaxStepsPerEpoch ?? planSteps);
    }

    /// <summary>The fp32 master weights.</summary>
    public FcnResNet18 Model => _master;

    public TrainerOptions Options { get; }

    public TrainingDataset Dataset => _dataset;

    /// <summary>Epochs finished so far; the next one is number <see cref="CompletedEpochs"/> (0-based).</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>Optimizer steps taken so far (skipped fp16 steps included).</summary>
    public long GlobalStep => _updater.Step;

    /// <summary>Global batches per epoch.</summary>
    public int StepsPerEpoch { get; }

    /// <summary>The loss scale the next step's gradients must be computed with (1 unless fp16).</summary>
    public double LossScale => _updater.LossScale;

    /// <summary>Summaries of the epochs completed (those before a resume included).</summary>
    public IReadOnlyList<EpochSummary> History => _history;

    /// <summary>One optimizer step from the gradients of a whole global batch.</summary>
    public StepOutcome Apply(GradientSet averaged) => _updater.Apply(averaged);

    /// <summary>
    /// One optimizer step from the sub-batch results of a global batch (in sub-batch order): their sample-weighted
    /// average, then <see cref="Apply(GradientSet)"/>. Returns the outcome and the batch's sample, loss and hit totals.
    /// </summary>
    public StepResult Apply(IReadOnlyList<GradientSet> parts)
    {
        using var averaged = parts.Count == 1 ? null : GradientSet.Average(parts);
        var combined = averaged ?? parts[0];
        var outcome = _updater.Apply(combined);
        return new StepResult(outcome, combined.Samples, combined.MeanLoss, combined.Correct);
    }

    /// <summary>Records a finished epoch (its summary goes into the history and the next checkpoint).</summary>
    public void CompleteEpoch(EpochSummary summary)
    {
        if (summary.Epoch != CompletedEpochs) throw new ArgumentException($"epoch {summary.Epoch} completed where epoch {CompletedEpochs} was running");
        _history.Add(summary);
        CompletedEpochs++;
    }

    /// <summary>
    /// The master's parameters and buffers (BatchNorm statistics) as a <see cref="TensorArchive"/> at <paramref name="path"/>,
    /// written whole or not at all, for trainers to load (<see cref="SliceTrainer.LoadWeights"/>). Returns its size in bytes.
    /// </summary>
    public long WriteWeights(string path) => TensorArchive.WriteFile(path, WeightTensors(_master), [("globalStep", GlobalStep)]);

    /// <summary>A module's parameters and buffers, by name, as <see cref="WriteWeights"/> writes them.</summary>
    public static List<(string Name, torch.Tensor Value)> WeightTensors(torch.nn.Module module) =>
        [.. module.named_parameters().Select(p => (p.name, (torch.Tensor)p.parameter)), .. module.named_buffers().Select(b => (b.name, b.buffer))];

    /// <summary>Writes the checkpoint of the epochs completed so far into <paramref name="directory"/>; returns the weights file's path.</summary>
    public string SaveCheckpoint(string directory)
    {
        var options = Options;
        var last = _history.Count > 0 ? _history[^1] : null;
        var facts = new Dictionary<string, string>
        {
            ["epochs"] = CompletedEpochs.ToString(CultureInfo.InvariantCulture),
            ["plannedEpochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["globalStep"] = GlobalStep.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = _dataset.Source,
            ["trainingSamples"] = _dataset.Training.Count.ToString(CultureInfo.InvariantCulture),
            ["validationSamples"] = _dataset.Validation.Count.ToString(CultureInfo.InvariantCulture),
            ["batchSize"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["subBatches"] = options.SubBatches.ToString(CultureInfo.InvariantCulture),
            ["device"] = options.Device.ToString(),
            ["optimizer"] = $"Novograd lr {options.Optimizer.LearningRate.ToString(CultureInfo.InvariantCulture)} betas ({options.Optimizer.Beta1.ToString(CultureInfo.InvariantCulture)}, {options.Optimizer.Beta2.ToString(CultureInfo.InvariantCulture)}), cosine annealing over {_updater.Schedule.TotalSteps} steps, updated every {_updater.Schedule.StepsPerUpdate}",
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
            Provenance = new ModelProvenance("trained", Seed: unchecked((long)options.Seed), Source: _dataset.Source,
                Notes: $"trained {CompletedEpochs} of {options.Epochs} epochs on {_dataset.Training.Count} patches", Training: facts),
        };
        var state = new TrainingCheckpointState
        {
            CompletedEpochs = CompletedEpochs,
            GlobalStep = GlobalStep,
            Epochs = options.Epochs,
            StepsPerEpoch = StepsPerEpoch,
            Seed = options.Seed,
            BatchSize = options.BatchSize,
            SubBatches = options.SubBatches,
            BatchNorm = options.BatchNorm.ToString(),
            Device = options.Device.ToString(),
            Optimizer = options.Optimizer,
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
        _updater.Dispose();
        _master.Dispose();
    }
}
