using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>How often the cosine schedule moves.</summary>
public enum ScheduleStepping
{
    /// <summary>Once per epoch, as the bundle steps CosineAnnealingLR(T_max = epochs): 1e-3, 8.5e-4, 5e-4, 1.46e-4 over 4 epochs.</summary>
    PerEpoch,

    /// <summary>Once per optimizer step, T = epochs x steps per epoch: the same curve sampled finely, down to the minimum.</summary>
    PerStep,
}

/// <summary>
/// Cosine annealing over a whole run (SGDR's curve without restarts, Loshchilov and Hutter 2017; PyTorch's
/// CosineAnnealingLR in closed form): lr(t) = min + (base - min) * (1 + cos(pi * t / T)) / 2 for update t of T, and
/// <see cref="MinimumLearningRate"/> from T on. The rate holds for <see cref="StepsPerUpdate"/> optimizer steps: the steps
/// of an epoch for the bundle's per-epoch schedule (T = epochs), 1 for a per-step one (T = all steps). A pure function of
/// the step, so resuming from a checkpoint needs only the step number, and a coordinator and its workers agree on the
/// rate without sharing scheduler state.
/// </summary>
/// <param name="StepsPerUpdate">Optimizer steps per schedule update; 1 (a checkpoint from before it was recorded) is per step.</param>
public sealed record CosineAnnealingSchedule(double BaseLearningRate, long TotalSteps, double MinimumLearningRate = 0, long StepsPerUpdate = 1)
{
    /// <summary>The schedule of a run of <paramref name="epochs"/> x <paramref name="stepsPerEpoch"/> steps, stepped as <paramref name="stepping"/> says.</summary>
    public static CosineAnnealingSchedule For(ScheduleStepping stepping, double baseLearningRate, int epochs, long stepsPerEpoch, double minimumLearningRate = 0) =>
        new(baseLearningRate, epochs * stepsPerEpoch, minimumLearningRate, stepping == ScheduleStepping.PerEpoch ? Math.Max(1, stepsPerEpoch) : 1);

    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(long step)
    {
        var per = Math.Max(1, StepsPerUpdate);
        var updates = TotalSteps / per;
        if (updates <= 0) return BaseLearningRate;
        var t = Math.Clamp(step / per, 0, updates);
        return MinimumLearningRate + (BaseLearningRate - MinimumLearningRate) * (1 + Math.Cos(Math.PI * t / updates)) / 2;
    }

    /// <summary>Sets every parameter group of <paramref name="optimizer"/> to the rate of <paramref name="step"/>; returns it.</summary>
    public double Apply(optim.Optimizer optimizer, long step)
    {
        var rate = LearningRateAt(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        return rate;
    }
}
