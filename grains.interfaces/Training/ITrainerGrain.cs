namespace OrleansPathology.Grains;

/// <summary>
/// One trainer per (silo, device), key <c>{siloName}/{device}</c> like the inference workers, placed on that silo by
/// <see cref="DevicePinnedPlacementAttribute"/>. It keeps the current run's patches and the latest weights version
/// loaded, and runs reading, forward and backward off the grain's turn.
/// </summary>
[Alias("opath.ITrainerGrain")]
public interface ITrainerGrain : IGrainWithStringKey
{
    /// <summary>The gradients of one slice of one global batch, as a tensor archive.</summary>
    /// <remarks>A CPU slice can take minutes: the call may wait far longer than Orleans' default 30 s.</remarks>
    [Alias("ComputeGradients"), ResponseTimeout("00:30:00")]
    Task<GradientSlice> ComputeGradientsAsync(GradientRequest request);

    /// <summary>Validation loss and hits of one slice of the validation list.</summary>
    [Alias("Evaluate"), ResponseTimeout("00:30:00")]
    Task<EvaluationSlice> EvaluateAsync(EvaluationRequest request);
}
