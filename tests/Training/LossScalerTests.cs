using OrleansPathology.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Training;

/// <summary>The fp16 dynamic loss scaler's rules (torch.amp.GradScaler's), exercised on the CPU with fp32 tensors.</summary>
public sealed class LossScalerTests
{
    [Fact]
    public void Starts_at_two_to_the_sixteenth()
    {
        var scaler = new DynamicLossScaler();
        Assert.Equal(65536.0, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
    }

    [Fact]
    public void Unscale_divides_in_place_and_finds_inf_and_nan()
    {
        var scaler = new DynamicLossScaler(4);
        using var finite = tensor(new[] { 4f, -8f });
        using var withInf = tensor(new[] { 1f, float.PositiveInfinity });
        using var withNan = tensor(new[] { float.NaN, 2f });

        Assert.False(scaler.Unscale([finite]));
        Assert.Equal([1f, -2f], finite.data<float>().ToArray());
        Assert.True(scaler.Unscale([finite, withInf]));
        Assert.True(scaler.Unscale([withNan]));
    }

    [Fact]
    public void A_non_finite_step_is_skipped_and_halves_the_scale()
    {
        var scaler = new DynamicLossScaler();
        Assert.True(scaler.Update(foundNonFinite: false));
        Assert.Equal(1, scaler.GoodSteps);

        Assert.False(scaler.Update(foundNonFinite: true));
        Assert.Equal(32768.0, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
        Assert.Equal(1, scaler.SkippedSteps);
    }

    [Fact]
    public void Two_thousand_good_steps_in_a_row_double_the_scale()
    {
        var scaler = new DynamicLossScaler();
        for (var i = 0; i < DynamicLossScaler.GrowthInterval - 1; i++) scaler.Update(false);
        Assert.Equal(65536.0, scaler.Scale);
        scaler.Update(false);
        Assert.Equal(131072.0, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);

        // A bad step resets the count: 1999 more good steps do not grow it again.
        scaler.Update(true);
        for (var i = 0; i < DynamicLossScaler.GrowthInterval - 1; i++) scaler.Update(false);
        Assert.Equal(65536.0, scaler.Scale);
    }

    [Fact]
    public void State_round_trips()
    {
        var scaler = new DynamicLossScaler();
        scaler.Update(true);
        scaler.Update(false);
        var restored = DynamicLossScaler.Restore(scaler.Save());
        Assert.Equal((scaler.Scale, scaler.GoodSteps, scaler.SkippedSteps), (restored.Scale, restored.GoodSteps, restored.SkippedSteps));
    }

    [Fact]
    public void The_updater_skips_a_step_with_inf_gradients_and_applies_the_next()
    {
        using var model = nn.Sequential(("lin", nn.Linear(2, 1)));
        var before = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var scaler = new DynamicLossScaler();
        using var updater = new ParameterUpdater(model, new NovogradSettings(), new CosineAnnealingSchedule(1e-3, 10), scaler);

        using (var bad = Set(model, float.PositiveInfinity))
        {
            var outcome = updater.Apply(bad);
            Assert.False(outcome.Applied);
            Assert.Equal(32768.0, outcome.LossScale);
        }
        Assert.Equal(before, model.parameters().Select(p => p.data<float>().ToArray()).ToList());
        Assert.Equal(1, updater.Step); // the schedule moves on

        using (var good = Set(model, 0.5f))
        {
            var outcome = updater.Apply(good);
            Assert.True(outcome.Applied);
            Assert.Equal(1, outcome.Step);
        }
        Assert.NotEqual(before, model.parameters().Select(p => p.data<float>().ToArray()).ToList());
    }

    [Fact]
    public void Without_a_scaler_inf_gradients_are_a_diverged_run()
    {
        using var model = nn.Sequential(("lin", nn.Linear(2, 1)));
        using var updater = new ParameterUpdater(model, new NovogradSettings(), new CosineAnnealingSchedule(1e-3, 10));
        using var bad = Set(model, float.NaN);

        var error = Assert.Throws<TrainingDivergedException>(() => updater.Apply(bad));
        Assert.Contains("step 0", error.Message);
    }

    /// <summary>A gradient set for the model with every gradient element <paramref name="value"/> (non-finite flagged as the computer would).</summary>
    private static GradientSet Set(nn.Module model, float value)
    {
        var gradients = model.named_parameters().Select(p => (p.name, full(p.parameter.shape, value))).ToList();
        return new GradientSet(gradients, [], 4, 1.0, 2, !float.IsFinite(value));
    }
}
