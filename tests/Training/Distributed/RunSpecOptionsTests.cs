using OrleansPathology.Grains;
using OrleansPathology.Grains.Training;
using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training.Distributed;

/// <summary>A run spec carries the bundle's flip and schedule by default, and today's variants when asked: every trainer gets them.</summary>
public sealed class RunSpecOptionsTests
{
    private static readonly TrainingRunSpec Spec = new("r", "/d/dataset.json", "/d/run", "/d/w.weights", Workers: 2, Epochs: 4, BatchSize: 16, Seed: 1);

    [Fact]
    public void TheBundlesFlipAndSchedule_AreTheDefaults()
    {
        var options = TrainingRunOptions.For(Spec, ComputeDevice.Parse("cpu"));
        Assert.Equal((FlipMode.BothAxes, ScheduleStepping.PerEpoch), (options.Augmentation.Flip, options.Schedule));
    }

    [Fact]
    public void TodaysVariants_AreOptions()
    {
        var options = TrainingRunOptions.For(Spec with { Flip = "independent", Schedule = "per-step" }, ComputeDevice.Parse("cpu"));
        Assert.Equal((FlipMode.Independent, ScheduleStepping.PerStep), (options.Augmentation.Flip, options.Schedule));
    }

    [Theory]
    [InlineData("sideways", "per-epoch", "flip must be both (the bundle's) or independent (got 'sideways')")]
    [InlineData("both", "hourly", "schedule must be per-epoch (the bundle's) or per-step (got 'hourly')")]
    public void UnknownValues_AreRefusedNamingThem(string flip, string schedule, string message) =>
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => TrainingRunOptions.Validate(Spec with { Flip = flip, Schedule = schedule })).Message);
}
