namespace OrleansPathology.Inference;

/// <summary>
/// A device that turns tile batches into probabilities: a loaded model on <c>cpu</c> or <c>cuda:N</c>
/// (<see cref="DeviceModel"/>), or a <see cref="SimulatedDevice"/>. One batch computes at a time; reading the next
/// batch's pixels goes on meanwhile.
/// </summary>
public interface IScoringDevice : IDisposable
{
    /// <summary>Whether <see cref="ScoreAsync"/> needs the batch's pixels.</summary>
    bool NeedsPixels { get; }

    /// <summary>Time spent computing since the device was made (waiting for the device not counted): its busy time.</summary>
    TimeSpan Busy { get; }

    /// <summary>Whether <see cref="ScoreAsync"/> reads the weights file (a simulated device does not).</summary>
    bool NeedsWeights { get; }

    /// <summary>The weights the device holds now, or null before its first batch.</summary>
    string? LoadedWeights { get; }

    /// <summary>
    /// The batch's probabilities, one per cell in the batch's order, and the seconds spent computing (model
    /// loading included, waiting for the device not).
    /// </summary>
    Task<(float[] Probabilities, double Seconds)> ScoreAsync(
        TileBatch batch, BatchPixels? pixels, WeightsSource weights, string precision, CancellationToken cancellationToken = default);
}
