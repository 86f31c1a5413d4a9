using OrleansPathology.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Training;

/// <summary>
/// Novograd against steps worked by hand from MONAI's monai/optimizers/novograd.py: per tensor, v = ||g||^2 on the
/// first step (v == 0) and beta2 v + (1 - beta2) ||g||^2 after; m = beta1 m + g / (sqrt(v) + eps) (+ wd p, x (1 - beta1)
/// with grad averaging); p -= lr m.
/// </summary>
public sealed class NovogradTests
{
    private const double Lr = 0.1, B1 = 0.9, B2 = 0.98, Eps = 1e-8;

    [Fact]
    public void Two_steps_match_the_hand_computed_update_per_tensor()
    {
        using var p = Param([1.0f, 2.0f]);
        using var q = Param([3.0f]);
        using var optimizer = new Novograd([p, q], lr: Lr);

        Step(optimizer, (p, [0.1f, 0.2f]), (q, [0.5f]));
        // p: v = 0.01 + 0.04 = 0.05 (taken as is on the first step); m = g / (sqrt(v) + eps).
        var v = 0.05;
        double[] m = [0.1 / (Math.Sqrt(v) + Eps), 0.2 / (Math.Sqrt(v) + Eps)];
        double[] expected = [1 - Lr * m[0], 2 - Lr * m[1]];
        AssertValues(expected, p);
        // q: a tensor of its own, so its own norm: g / |g| = 1 -> 3 - 0.1.
        AssertValues([3 - Lr * (0.5 / (0.5 + Eps))], q);
        Assert.Equal(v, optimizer.StateOf(p).ExpAvgSq.item<float>(), 6);

        Step(optimizer, (p, [0.3f, -0.1f]), (q, [0.5f]));
        v = B2 * v + (1 - B2) * (0.09 + 0.01);
        m = [B1 * m[0] + 0.3 / (Math.Sqrt(v) + Eps), B1 * m[1] - 0.1 / (Math.Sqrt(v) + Eps)];
        expected = [expected[0] - Lr * m[0], expected[1] - Lr * m[1]];
        AssertValues(expected, p);
        Assert.Equal(2, optimizer.StateOf(p).Step);
        Assert.Equal(v, optimizer.StateOf(p).ExpAvgSq.item<float>(), 6);
    }

    [Fact]
    public void Weight_decay_and_grad_averaging_follow_monai_order()
    {
        const double wd = 0.01;
        using var p = Param([1.0f, -2.0f]);
        using var optimizer = new Novograd([p], lr: Lr, weightDecay: wd, gradAveraging: true);

        Step(optimizer, (p, [0.3f, 0.4f]));
        // g_hat = (g / (|g| + eps) + wd p) (1 - beta1); m = g_hat.
        double[] m = [(0.3 / (0.5 + Eps) + wd * 1.0) * (1 - B1), (0.4 / (0.5 + Eps) + wd * -2.0) * (1 - B1)];
        double[] expected = [1 - Lr * m[0], -2 - Lr * m[1]];
        AssertValues(expected, p);

        Step(optimizer, (p, [0.0f, 0.5f]));
        var v = B2 * 0.25 + (1 - B2) * 0.25;
        m = [B1 * m[0] + (0.0 / (Math.Sqrt(v) + Eps) + wd * expected[0]) * (1 - B1), B1 * m[1] + (0.5 / (Math.Sqrt(v) + Eps) + wd * expected[1]) * (1 - B1)];
        expected = [expected[0] - Lr * m[0], expected[1] - Lr * m[1]];
        AssertValues(expected, p);
    }

    [Fact]
    public void Amsgrad_normalises_by_the_largest_second_moment_so_far()
    {
        using var p = Param([0.0f]);
        using var plain = Param([0.0f]);
        using var withMax = new Novograd([p], lr: Lr, amsgrad: true);
        using var without = new Novograd([plain], lr: Lr);

        Step(withMax, (p, [1.0f]));
        Step(without, (plain, [1.0f]));
        Step(withMax, (p, [0.01f]));
        Step(without, (plain, [0.01f]));

        // v falls from 1 to 0.98 + 0.02e-4; amsgrad keeps dividing by sqrt(1).
        var v = B2 * 1 + (1 - B2) * 1e-4;
        var m1 = 1 / (1 + Eps);
        AssertValues([-Lr * m1 - Lr * (B1 * m1 + 0.01 / (1 + Eps))], p);
        AssertValues([-Lr * m1 - Lr * (B1 * m1 + 0.01 / (Math.Sqrt(v) + Eps))], plain);
        Assert.Equal(1.0, withMax.StateOf(p).MaxExpAvgSq!.item<float>(), 6);
    }

    [Fact]
    public void A_tensor_whose_gradients_were_all_zero_starts_its_second_moment_afresh()
    {
        using var p = Param([1.0f]);
        using var optimizer = new Novograd([p], lr: Lr);

        Step(optimizer, (p, [0.0f]));
        AssertValues([1.0], p); // 0 / (0 + eps) = 0: no move, and v is still 0
        Step(optimizer, (p, [2.0f]));
        // MONAI tests exp_avg_sq == 0 on every step: v = 4 as is, not 0.02 * 4.
        Assert.Equal(4.0, optimizer.StateOf(p).ExpAvgSq.item<float>(), 6);
        AssertValues([1 - Lr * (2 / (2 + Eps))], p);
    }

    [Fact]
    public void Parameters_without_a_gradient_are_left_alone()
    {
        using var p = Param([1.0f]);
        using var q = Param([5.0f]);
        using var optimizer = new Novograd([p, q], lr: Lr);

        Step(optimizer, (p, [1.0f]));

        AssertValues([5.0], q);
        Assert.Equal(0, optimizer.StateOf(q).Step);
    }

    [Fact]
    public void Saved_state_resumes_to_the_same_next_step()
    {
        var dir = TestData.NewTempDir("opath-novograd");
        try
        {
            using var p = Param([1.0f, 2.0f]);
            using var optimizer = new Novograd([p], lr: Lr, weightDecay: 0.1, amsgrad: true);
            Step(optimizer, (p, [0.3f, 0.4f]));
            var file = Path.Combine(dir, "novograd.bin");
            optimizer.save_state_dict(file);

            using var copy = Param([0f, 0f]);
            using (no_grad()) copy.copy_(p);
            using var restored = new Novograd([copy], lr: 99);
            restored.load_state_dict(file);

            Step(optimizer, (p, [0.1f, -0.2f]));
            Step(restored, (copy, [0.1f, -0.2f]));
            Assert.Equal(p.data<float>().ToArray(), copy.data<float>().ToArray());
            Assert.Equal(Lr, restored.ParamGroups.Single().LearningRate);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Rejects_invalid_hyper_parameters_as_monai_does()
    {
        using var p = Param([1.0f]);
        Assert.Contains("learning rate", Assert.Throws<ArgumentException>(() => new Novograd([p], lr: -1)).Message);
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => new Novograd([p], beta2: 1.0)).Message);
        Assert.Contains("weight_decay", Assert.Throws<ArgumentException>(() => new Novograd([p], weightDecay: -0.1)).Message);
    }

    [Fact]
    public void Cosine_schedule_runs_from_the_base_rate_to_the_minimum_and_drives_the_optimizer()
    {
        var schedule = new CosineAnnealingSchedule(1e-3, 100, 1e-5);

        Assert.Equal(1e-3, schedule.LearningRateAt(0), 12);
        Assert.Equal((1e-3 + 1e-5) / 2, schedule.LearningRateAt(50), 12);
        Assert.Equal(1e-5 + (1e-3 - 1e-5) * (1 + Math.Cos(Math.PI * 0.25)) / 2, schedule.LearningRateAt(25), 12);
        Assert.Equal(1e-5, schedule.LearningRateAt(100), 12);
        Assert.Equal(1e-5, schedule.LearningRateAt(250), 12);

        using var p = Param([1.0f]);
        using var optimizer = new Novograd([p]);
        schedule.Apply(optimizer, 50);
        Assert.Equal((1e-3 + 1e-5) / 2, optimizer.ParamGroups.Single().LearningRate, 12);
    }

    private static Parameter Param(float[] values) => new(tensor(values), requires_grad: true);

    private static void Step(Novograd optimizer, params (Parameter P, float[] Grad)[] grads)
    {
        foreach (var (p, g) in grads) p.grad = tensor(g);
        optimizer.step();
    }

    private static void AssertValues(double[] expected, Tensor actual)
    {
        var values = actual.data<float>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < values.Length; i++) Assert.Equal(expected[i], values[i], 5);
    }
}
