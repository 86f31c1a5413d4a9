using System.Diagnostics;
using OrleansPathology.Model;

namespace OrleansPathology.Training;

/// <summary>Timings of one <see cref="SliceTrainer.Compute"/>: reading the patches, forward and backward.</summary>
public sealed record SliceTimings(double ReadSeconds, double ComputeSeconds);

/// <summary>
/// A trainer's side of a run, on one device: the run's patches (<see cref="PatchSampler"/>, the same augmentation seeds
/// as the single-process <see cref="Trainer"/>), a <see cref="GradientComputer"/> and the weights of the version last
/// loaded. A coordinator hands it "weights version v, step s of epoch e, samples offset..offset+length of that batch";
/// it returns that slice's <see cref="GradientSet"/>. Any trainer given the same slice and weights returns the same set,
/// so a slice whose worker was lost can be computed again anywhere. Not thread-safe: one call at a time.
/// </summary>
public sealed class SliceTrainer : IDisposable
{
    private readonly TrainingDataset _dataset;
    private readonly TrainerOptions _options;
    private readonly FcnResNet18 _weights = new();
    private readonly GradientComputer _computer;
    private readonly PatchSampler _trainSampler;
    private readonly PatchSampler _validationSampler;
    private EpochPlan? _plan;

    /// <param name="dataset">The run's lists (the coordinator has validated them).</param>
    /// <param name="options">The run's options; <see cref="TrainerOptions.Device"/> is this worker's device.</param>
    public SliceTrainer(TrainingDataset dataset, TrainerOptions options)
    {
        options.Validate();
        _dataset = dataset;
        _options = options;
        _computer = new GradientComputer(new FcnResNet18(), options.Device, options.BatchNorm);
        _trainSampler = new PatchSampler(dataset.Training, options.Sampler, new PatchAugmenter(options.Augmentation, options.Sampler.PatchSize), options.Seed);
        _validationSampler = new PatchSampler(dataset.Validation, options.Sampler);
    }

    /// <summary>The weights version loaded last (-1 before the first load).</summary>
    public long LoadedVersion { get; private set; } = -1;

    /// <summary>The file the loaded weights came from (null before the first load).</summary>
    public string? LoadedPath { get; private set; }

    /// <summary>
    /// Loads version <paramref name="version"/> of the weights from <paramref name="path"/> (written by
    /// <see cref="TrainingMaster.WriteWeights"/>) unless that version from that file is loaded already (a coordinator that
    /// restarts from a checkpoint names its versions with new files). Returns the bytes read (0 when nothing was loaded).
    /// </summary>
    public long LoadWeights(string path, long version)
    {
        if (version == LoadedVersion && path == LoadedPath) return 0;
        var bytes = new FileInfo(path) is { Exists: true } file ? file.Length : 0;
        var (tensors, _) = TensorArchive.ReadFile(path);
        try
        {
            var targets = TrainingMaster.WeightTensors(_weights).ToDictionary(t => t.Name, t => t.Value, StringComparer.Ordinal);
            if (targets.Count != tensors.Count) throw new TensorArchiveException(path, $"{tensors.Count} tensors for a model of {targets.Count}");
            using var _ = TorchSharp.torch.no_grad();
            foreach (var (name, value) in tensors)
            {
                if (!targets.TryGetValue(name, out var target)) throw new TensorArchiveException(path, $"the model has no tensor '{name}'");
                target.copy_(value);
            }
        }
        finally
        {
            foreach (var (_, t) in tensors) t.Dispose();
        }
        _computer.LoadWeights(_weights);
        LoadedVersion = version;
        LoadedPath = path;
        return bytes;
    }

    /// <summary>
    /// Gradients of samples <paramref name="offset"/> .. offset + length - 1 of global batch <paramref name="step"/> of
    /// epoch <paramref name="epoch"/>, with the loaded weights and <paramref name="lossScale"/>.
    /// </summary>
    public (GradientSet Gradients, SliceTimings Timings) Compute(int epoch, int step, int offset, int length, double lossScale)
    {
        if (LoadedVersion < 0) throw new InvalidOperationException("no weights loaded");
        if (_plan?.Epoch != epoch) _plan = EpochPlan.Create(_dataset.Training.Count, _options.Seed, epoch, _options.BatchSize, _options.DropLast);
        var clock = Stopwatch.StartNew();
        var batch = _trainSampler.ReadBatch(_plan, step, offset, length);
        var read = clock.Elapsed.TotalSeconds;
        var set = _computer.Compute(batch, lossScale);
        return (set, new SliceTimings(read, clock.Elapsed.TotalSeconds - read));
    }

    /// <summary>Mean loss and hits of validation samples <paramref name="start"/> .. start + length - 1 (in list order, no augmentation).</summary>
    public ValidationResult Evaluate(int start, int length)
    {
        if (LoadedVersion < 0) throw new InvalidOperationException("no weights loaded");
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        if (length < 1 || start + length > _dataset.Validation.Count)
            throw new ArgumentOutOfRangeException(nameof(length), $"{start}+{length} is outside the {_dataset.Validation.Count} validation samples");
        var clock = Stopwatch.StartNew();
        var batch = _validationSampler.ReadPlain(Enumerable.Range(start, length).ToArray());
        var (lossSum, correct, _) = _computer.Evaluate(batch);
        return new ValidationResult(length, correct, lossSum / length, clock.Elapsed);
    }

    public void Dispose()
    {
        _trainSampler.Dispose();
        _validationSampler.Dispose();
        _computer.Dispose();
        _weights.Dispose();
    }
}
