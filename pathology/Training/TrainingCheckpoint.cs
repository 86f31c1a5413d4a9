using System.Globalization;
using System.Text.Json;
using OrleansPathology.Model;

namespace OrleansPathology.Training;

/// <summary>One epoch in a checkpoint's history.</summary>
public sealed record EpochSummary(int Epoch, int Steps, int SkippedSteps, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy, double PatchesPerSecond);

/// <summary>
/// The small JSON written beside each epoch's weights (<c>epoch-NNN.training.json</c>): where the run stands (epochs and
/// steps done), what fixes the rest of it (seed, batch, schedule, optimizer settings, loss scale) and the file names of
/// the weights and of Novograd's moments (<c>epoch-NNN.optimizer.bin</c>, TorchSharp's optimizer state format). With
/// the same dataset and options, <see cref="Trainer.Resume"/> continues exactly where the run stopped.
/// </summary>
public sealed record TrainingCheckpointState
{
    public const string CurrentFormat = "orleans-pathology-training/1";

    public string Format { get; init; } = CurrentFormat;
    public required int CompletedEpochs { get; init; }
    public required long GlobalStep { get; init; }
    public required int Epochs { get; init; }
    public required int StepsPerEpoch { get; init; }
    public required ulong Seed { get; init; }
    public required int BatchSize { get; init; }
    public required int SubBatches { get; init; }
    public required string BatchNorm { get; init; }
    public required string Device { get; init; }
    public required NovogradSettings Optimizer { get; init; }
    public required CosineAnnealingSchedule Schedule { get; init; }
    public LossScalerState? LossScaler { get; init; }

    /// <summary>The weights file, relative to this file's folder.</summary>
    public required string Weights { get; init; }

    /// <summary>Novograd's state file, relative to this file's folder.</summary>
    public required string OptimizerState { get; init; }

    public required string Dataset { get; init; }
    public required int TrainingSamples { get; init; }
    public required int ValidationSamples { get; init; }
    public required IReadOnlyList<EpochSummary> History { get; init; }
}

/// <summary>Writes and reads a checkpoint: weights with model card, optimizer state, and <see cref="TrainingCheckpointState"/>.</summary>
public static class TrainingCheckpoint
{
    public const string StateSuffix = ".training.json";
    /// <summary>TorchSharp's own format, named so (<c>torch.load</c> cannot read it); <c>opath model export</c> writes PyTorch's.</summary>
    public const string WeightsSuffix = ".torchsharp";
    public const string OptimizerSuffix = ".optimizer.bin";

    /// <summary>The file stem of epoch <paramref name="completedEpochs"/>'s checkpoint: <c>epoch-003</c>.</summary>
    public static string Stem(int completedEpochs) => $"epoch-{completedEpochs.ToString("D3", CultureInfo.InvariantCulture)}";

    /// <summary>Writes the three files; returns the state file's path. Each file is written whole or not at all.</summary>
    public static string Save(string directory, FcnResNet18 model, ModelCard card, Novograd optimizer, TrainingCheckpointState state)
    {
        Directory.CreateDirectory(directory);
        var stem = Stem(state.CompletedEpochs);
        ModelWeights.Save(model, Path.Combine(directory, stem + WeightsSuffix), card);
        var optimizerPath = Path.Combine(directory, stem + OptimizerSuffix);
        optimizer.save_state_dict(optimizerPath + ".partial");
        File.Move(optimizerPath + ".partial", optimizerPath, overwrite: true);
        var statePath = Path.Combine(directory, stem + StateSuffix);
        var full = state with { Weights = stem + WeightsSuffix, OptimizerState = stem + OptimizerSuffix };
        File.WriteAllText(statePath + ".partial", JsonSerializer.Serialize(full, ModelCard.Json));
        File.Move(statePath + ".partial", statePath, overwrite: true);
        return statePath;
    }

    /// <summary>Reads a state file; a missing file is a <see cref="FileNotFoundException"/>, a malformed or foreign one an <see cref="InvalidDataException"/>, each naming it.</summary>
    public static TrainingCheckpointState ReadState(string statePath)
    {
        if (!File.Exists(statePath)) throw new FileNotFoundException($"{statePath}: training checkpoint not found", statePath);
        TrainingCheckpointState? state;
        try
        {
            state = JsonSerializer.Deserialize<TrainingCheckpointState>(File.ReadAllText(statePath), ModelCard.Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{statePath}: not a training checkpoint: {ex.Message}", ex);
        }
        if (state is null) throw new InvalidDataException($"{statePath}: empty training checkpoint");
        if (state.Format != TrainingCheckpointState.CurrentFormat)
            throw new InvalidDataException($"{statePath}: format '{state.Format}' is not '{TrainingCheckpointState.CurrentFormat}'");
        return state;
    }

    /// <summary>The full path of a file the state names.</summary>
    public static string Resolve(string statePath, string relative) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(statePath))!, relative);
}
