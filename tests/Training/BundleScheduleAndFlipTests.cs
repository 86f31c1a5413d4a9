using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>The bundle's schedule and flip by default (configs/train.json: CosineAnnealingLR stepped per epoch, RandFlipd without spatial_axis).</summary>
public sealed class BundleScheduleAndFlipTests
{
    [Fact]
    public void PerEpochCosine_WithTMax4_GivesTheBundlesFourRates_HeldThroughEachEpoch()
    {
        var schedule = CosineAnnealingSchedule.For(new TrainerOptions().Schedule, 1e-3, epochs: 4, stepsPerEpoch: 10);

        double[] perEpoch = [1e-3, 8.5355339e-4, 5e-4, 1.4644661e-4];
        for (var epoch = 0; epoch < 4; epoch++)
        {
            Assert.Equal(perEpoch[epoch], schedule.LearningRateAt(epoch * 10), 10);
            Assert.Equal(perEpoch[epoch], schedule.LearningRateAt(epoch * 10 + 9), 10);
        }
    }

    [Fact]
    public void PerStepCosine_IsTheOption_AndRunsDownToTheMinimum()
    {
        var schedule = CosineAnnealingSchedule.For(ScheduleStepping.PerStep, 1e-3, epochs: 4, stepsPerEpoch: 10);

        Assert.Equal(1e-3 * (1 + Math.Cos(Math.PI / 40)) / 2, schedule.LearningRateAt(1), 12);
        Assert.Equal(0, schedule.LearningRateAt(40), 12);
        // A checkpoint written before the stepping was recorded reads as per step.
        Assert.Equal(schedule.LearningRateAt(7), new CosineAnnealingSchedule(1e-3, 40).LearningRateAt(7), 12);
    }

    [Fact]
    public void TheDefaultFlip_TurnsBothAxesTogether_WhileIndependentFlipsReachMirrorImages()
    {
        var bundle = new PatchAugmenter(new AugmentationOptions(), 224);
        var independent = new PatchAugmenter(new AugmentationOptions { Flip = FlipMode.Independent }, 224);

        var bundleDraws = Enumerable.Range(0, 200).Select(s => bundle.Draw((ulong)s)).ToList();
        var independentDraws = Enumerable.Range(0, 200).Select(s => independent.Draw((ulong)s)).ToList();

        Assert.All(bundleDraws, d => Assert.Equal(d.FlipHorizontal, d.FlipVertical));
        Assert.InRange(bundleDraws.Count(d => d.FlipHorizontal), 70, 130);
        Assert.Contains(independentDraws, d => d.FlipHorizontal != d.FlipVertical);
        // The rest of the draw does not shift with the flip mode: the same seed turns and zooms alike.
        Assert.Equal(bundleDraws.Select(d => (d.QuarterTurns, d.Zoom)), independentDraws.Select(d => (d.QuarterTurns, d.Zoom)));
    }
}
