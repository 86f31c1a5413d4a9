using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// Cosine annealing over a whole run (SGDR's curve without restarts, Loshchilov and Hutter 2017; PyTorch's
/// CosineAnnealingLR in closed form): lr(t) = min + (base - min) * (1 + cos(pi * t / T)) / 2 for step t of T, and
/// <see cref="MinimumLearningRate"/> from T on. A pure function of the step, so resuming from a checkpoint needs only
/// the step number, and a coordinator and its workers agree on the rate without sharing scheduler state.
/// </summary>
/// <remarks>
/// The bundle steps CosineAnnealingLR once per epoch with T_max = epochs; here it steps per global batch with
/// T = epochs x steps per epoch, the same curve sampled finely.
/// </remarks>
public sealed record CosineAnnealingSchedule(double BaseLearningRate, long TotalSteps, double MinimumLearningRate = 0)
{
    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(long step)
    {
        if (TotalSteps <= 0) return BaseLearningRate;
        var t = Math.Clamp(step, 0, TotalSteps);
        return MinimumLearningRate + (BaseLearningRate - MinimumLearningRate) * (1 + Math.Cos(Math.PI * t / TotalSteps)) / 2;
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="step"/>; returns it.</summary>
    public double Apply(optim.Optimizer optimizer, long step)
    {
        var rate = LearningRateAt(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        return rate;
    }
}
