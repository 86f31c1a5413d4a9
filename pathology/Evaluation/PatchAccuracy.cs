using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Evaluation;

/// <summary>Patch-level classification of a labelled list: overall accuracy and per class.</summary>
/// <param name="Samples">Patches classified.</param>
/// <param name="Correct">Patches whose prediction (probability above 0.5) matches the label.</param>
/// <param name="TumourSamples">Patches labelled tumour.</param>
/// <param name="TumourCorrect">Of those, predicted tumour.</param>
/// <param name="NormalSamples">Patches labelled normal.</param>
/// <param name="NormalCorrect">Of those, predicted normal.</param>
/// <param name="MeanLoss">Mean binary cross-entropy.</param>
public sealed record PatchAccuracyResult(int Samples, int Correct, int TumourSamples, int TumourCorrect, int NormalSamples, int NormalCorrect, double MeanLoss)
{
    public double Accuracy => Samples == 0 ? 0 : (double)Correct / Samples;

    /// <summary>Share of tumour patches found; null without tumour patches.</summary>
    public double? Sensitivity => TumourSamples == 0 ? null : (double)TumourCorrect / TumourSamples;

    /// <summary>Share of normal patches called normal; null without normal patches.</summary>
    public double? Specificity => NormalSamples == 0 ? null : (double)NormalCorrect / NormalSamples;
}

/// <summary>
/// Patch accuracy of a model on a labelled patch list (a <c>dataset.json</c>'s validation or training list): the same
/// computation as the trainer's per-epoch validation (<see cref="Trainer.ValidateAsync"/>): patches read in order without
/// augmentation by <see cref="PatchSampler"/>, classified by <see cref="GradientComputer.Evaluate"/> (BatchNorm on running
/// statistics, a patch is tumour when its logit is above 0, i.e. sigmoid above 0.5).
/// </summary>
public static class PatchAccuracy
{
    public static async Task<PatchAccuracyResult> MeasureAsync(FcnResNet18 model, IReadOnlyList<TrainingSample> samples, ComputeDevice device,
        int batchSize = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (samples.Count == 0) throw new ArgumentException("the patch list is empty");

        using var computer = new GradientComputer(new FcnResNet18(), device, BatchNormMode.Frozen);
        computer.LoadWeights(model);
        using var sampler = new PatchSampler(samples);
        int count = 0, correct = 0, tumour = 0, tumourCorrect = 0, normal = 0, normalCorrect = 0;
        double lossSum = 0;
        await foreach (var batch in sampler.ReadInOrderAsync(batchSize, cancellationToken).ConfigureAwait(false))
        {
            var (loss, hits, probabilities) = computer.Evaluate(batch);
            count += batch.Count;
            correct += hits;
            lossSum += loss;
            for (var i = 0; i < batch.Count; i++)
            {
                // Per class from the probabilities; the overall count is Evaluate's own (logit > 0), as validation reports it.
                var predictedTumour = probabilities[i] > 0.5f;
                if (batch.Labels[i] > 0.5f)
                {
                    tumour++;
                    if (predictedTumour) tumourCorrect++;
                }
                else
                {
                    normal++;
                    if (!predictedTumour) normalCorrect++;
                }
            }
        }
        return new PatchAccuracyResult(count, correct, tumour, tumourCorrect, normal, normalCorrect, lossSum / count);
    }

    /// <summary>Loads weights from <paramref name="weightsPath"/> and measures them.</summary>
    public static async Task<PatchAccuracyResult> MeasureAsync(string weightsPath, IReadOnlyList<TrainingSample> samples, ComputeDevice device,
        int batchSize = 64, CancellationToken cancellationToken = default)
    {
        var (model, _) = ModelWeights.Load(weightsPath);
        using (model)
        {
            return await MeasureAsync(model, samples, device, batchSize, cancellationToken).ConfigureAwait(false);
        }
    }
}
