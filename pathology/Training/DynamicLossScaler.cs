using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// Dynamic loss scaling for fp16 training, with the constants and rules of PyTorch's <c>torch.amp.GradScaler</c>:
/// the loss is multiplied by <see cref="Scale"/> before backward so small fp16 gradients do not flush to zero; the
/// gradients are divided by it again in fp32. A step whose gradients hold an inf or NaN is skipped and the scale
/// halved; after <see cref="GrowthInterval"/> good steps in a row the scale doubles.
/// Plain state (a double and a count), so a coordinator can own it and tell workers the scale to use.
/// </summary>
public sealed class DynamicLossScaler
{
    /// <summary>GradScaler's init_scale: 2^16.</summary>
    public const double InitialScale = 65536;

    /// <summary>GradScaler's growth_factor.</summary>
    public const double GrowthFactor = 2;

    /// <summary>GradScaler's backoff_factor.</summary>
    public const double BackoffFactor = 0.5;

    /// <summary>GradScaler's growth_interval: good steps before the scale grows.</summary>
    public const int GrowthInterval = 2000;

    public DynamicLossScaler(double scale = InitialScale, int goodSteps = 0)
    {
        if (!(scale > 0) || !double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the loss scale must be positive and finite");
        ArgumentOutOfRangeException.ThrowIfNegative(goodSteps);
        Scale = scale;
        GoodSteps = goodSteps;
    }

    /// <summary>The factor the loss is multiplied by now.</summary>
    public double Scale { get; private set; }

    /// <summary>Good steps since the scale last changed.</summary>
    public int GoodSteps { get; private set; }

    /// <summary>Steps skipped so far for non-finite gradients.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>
    /// Divides every gradient by the scale, in place (fp32 tensors), and says whether any holds an inf or NaN,
    /// as GradScaler.unscale_ does. The check is one reduction per tensor and a single read back.
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> gradients) => UnscaleAndCheck(gradients, 1.0 / Scale);

    /// <summary>Multiplies each tensor by <paramref name="factor"/> in place; true if any element is not finite afterwards.</summary>
    public static bool UnscaleAndCheck(IEnumerable<Tensor> gradients, double factor)
    {
        using var scope = NewDisposeScope();
        Tensor? anyBad = null;
        foreach (var g in gradients)
        {
            if (factor != 1) g.mul_(factor);
            var bad = g.isfinite().logical_not().any();
            anyBad = anyBad is null ? bad : anyBad.logical_or_(bad);
        }
        return anyBad is not null && anyBad.item<bool>();
    }

    /// <summary>
    /// Records the outcome of a step and adapts the scale: non-finite gradients halve it, reset the count and return
    /// false (skip this step); finite ones count towards growth and return true (apply the step).
    /// </summary>
    public bool Update(bool foundNonFinite)
    {
        if (foundNonFinite)
        {
            Scale *= BackoffFactor;
            GoodSteps = 0;
            SkippedSteps++;
            return false;
        }
        GoodSteps++;
        if (GoodSteps >= GrowthInterval)
        {
            var grown = Scale * GrowthFactor;
            // GradScaler grows only to a finite value.
            if (double.IsFinite(grown)) Scale = grown;
            GoodSteps = 0;
        }
        return true;
    }

    /// <summary>The scaler's state for a checkpoint.</summary>
    public LossScalerState Save() => new(Scale, GoodSteps, SkippedSteps);

    /// <summary>A scaler resumed from <paramref name="state"/>.</summary>
    public static DynamicLossScaler Restore(LossScalerState state) => new(state.Scale, state.GoodSteps) { SkippedSteps = state.SkippedSteps };
}

/// <summary>What a checkpoint keeps of a <see cref="DynamicLossScaler"/>.</summary>
public sealed record LossScalerState(double Scale, int GoodSteps, long SkippedSteps);
