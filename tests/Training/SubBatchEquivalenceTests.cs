using OrleansPathology.Model;
using OrleansPathology.Training;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OrleansPathology.Tests.Training;

/// <summary>
/// compute-gradients on sub-batches + average + one optimizer step equals the step on the whole batch. Exact (to
/// float rounding) with BatchNorm's statistics frozen; in train mode each sub-batch is normalised by its own
/// statistics, so the gradients differ, while the averaged running mean still equals the whole batch's.
/// </summary>
public sealed class SubBatchEquivalenceTests
{
    private static readonly ComputeDevice Cpu = new("cpu", Precision.Fp32);

    [Fact]
    public void Frozen_batchnorm_one_or_three_sub_batches_give_the_same_gradients_and_update()
    {
        var batch = Batch(count: 8, size: 16, seed: 1);
        using var masterA = Tiny(seed: 3);
        using var masterB = Tiny(seed: 3);

        using var whole = Gradients(masterA, batch, 1, BatchNormMode.Frozen);
        using var split = Gradients(masterB, batch, 3, BatchNormMode.Frozen);

        Assert.Equal(8, split.Samples);
        Assert.Equal(whole.LossSum, split.LossSum, 4);
        for (var i = 0; i < whole.Gradients.Count; i++)
            Assert.True(whole.Gradients[i].Value.allclose(split.Gradients[i].Value, rtol: 1e-4, atol: 1e-6), whole.Gradients[i].Name);

        StepWith(masterA, whole);
        StepWith(masterB, split);
        AssertSameParameters(masterA, masterB, atol: 1e-6);
    }

    [Fact]
    public void Train_mode_batchnorm_averages_running_means_exactly_but_not_gradients()
    {
        var batch = Batch(count: 8, size: 16, seed: 2);
        using var master = Tiny(seed: 5);

        using var whole = Gradients(master, batch, 1, BatchNormMode.PerSubBatch);
        using var split = Gradients(master, batch, 2, BatchNormMode.PerSubBatch);

        var mean = whole.Buffers.Single(b => b.Name == "bn.running_mean").Value;
        Assert.True(mean.allclose(split.Buffers.Single(b => b.Name == "bn.running_mean").Value, atol: 1e-6));
        Assert.Equal(1L, split.Buffers.Single(b => b.Name == "bn.num_batches_tracked").Value.item<long>());
        var conv = whole.Gradients.Single(g => g.Name == "conv.weight").Value;
        Assert.False(conv.allclose(split.Gradients.Single(g => g.Name == "conv.weight").Value, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void The_real_network_with_frozen_batchnorm_gives_the_same_update_for_one_or_two_sub_batches()
    {
        var batch = Batch(count: 4, size: 224, seed: 3);
        using var masterA = Resnet(seed: 7);
        using var masterB = Resnet(seed: 7);

        using var whole = Gradients(masterA, batch, 1, BatchNormMode.Frozen, () => new FcnResNet18());
        using var split = Gradients(masterB, batch, 2, BatchNormMode.Frozen, () => new FcnResNet18());
        StepWith(masterA, whole);
        StepWith(masterB, split);

        // Novograd moves each element by about lr * g / ||g||: 1e-3 at most; rounding differences stay far below.
        AssertSameParameters(masterA, masterB, atol: 2e-6);
    }

    [Fact]
    public void Bf16_compute_keeps_fp32_master_and_gradients_close_to_fp32()
    {
        var batch = Batch(count: 4, size: 64, seed: 4);
        using var master = Tiny(seed: 9, channels: 16);

        using var fp32 = Gradients(master, batch, 1, BatchNormMode.PerSubBatch, () => Tiny(0, channels: 16));
        using var computer = new GradientComputer(Tiny(0, channels: 16), new ComputeDevice("cpu", Precision.Bf16));
        computer.LoadWeights(master);
        Assert.Equal(ScalarType.BFloat16, computer.Model.named_parameters().Single(p => p.name == "conv.weight").parameter.dtype);
        Assert.Equal(ScalarType.Float32, computer.Model.named_parameters().Single(p => p.name == "bn.weight").parameter.dtype);
        using var bf16 = computer.Compute(batch);

        Assert.All(bf16.Gradients, g => Assert.Equal(ScalarType.Float32, g.Value.dtype));
        Assert.Equal(fp32.MeanLoss, bf16.MeanLoss, 1);
        using var a = cat(fp32.Gradients.Select(g => g.Value.flatten()).ToList());
        using var b = cat(bf16.Gradients.Select(g => g.Value.flatten()).ToList());
        var cosine = (a.dot(b) / (a.norm() * b.norm())).item<float>();
        Assert.True(cosine > 0.99, $"cosine similarity of bf16 and fp32 gradients is {cosine}");
    }

    /// <summary>Conv, BatchNorm, ReLU, global pool, 1x1 head: one logit per patch of any size.</summary>
    private static Module<Tensor, Tensor> Tiny(ulong seed, int channels = 4)
    {
        var model = Sequential(
            ("conv", Conv2d(3, channels, 3)),
            ("bn", BatchNorm2d(channels)),
            ("relu", ReLU()),
            ("pool", AdaptiveAvgPool2d(1)),
            ("fc", Conv2d(channels, 1, 1)));
        SeededInitialisation.Apply(model, seed);
        return model;
    }

    private static FcnResNet18 Resnet(ulong seed)
    {
        var model = new FcnResNet18();
        SeededInitialisation.Apply(model, seed);
        return model;
    }

    private static GradientSet Gradients(Module<Tensor, Tensor> master, PatchBatch batch, int parts, BatchNormMode mode, Func<Module<Tensor, Tensor>>? copy = null)
    {
        using var computer = new GradientComputer(copy?.Invoke() ?? Tiny(0), Cpu, mode);
        computer.LoadWeights(master);
        var sets = EpochPlan.Split(batch.Count, parts).Select(p => computer.Compute(parts == 1 ? batch : batch.Slice(p.Start, p.Length))).ToList();
        if (sets.Count == 1) return sets[0];
        var averaged = GradientSet.Average(sets);
        foreach (var s in sets) s.Dispose();
        return averaged;
    }

    private static void StepWith(Module<Tensor, Tensor> master, GradientSet gradients)
    {
        using var updater = new ParameterUpdater(master, new NovogradSettings(), new CosineAnnealingSchedule(1e-3, 10));
        Assert.True(updater.Apply(gradients).Applied);
    }

    private static void AssertSameParameters(Module<Tensor, Tensor> a, Module<Tensor, Tensor> b, double atol)
    {
        var right = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in a.named_parameters())
        {
            var difference = (p - right[name]).abs().max().item<float>();
            Assert.True(difference <= atol, $"{name} differs by {difference}");
        }
    }

    private static PatchBatch Batch(int count, int size, int seed)
    {
        var random = new Random(seed);
        var rgb = new byte[count * size * size * 3];
        random.NextBytes(rgb);
        var labels = Enumerable.Range(0, count).Select(i => (float)(i % 2)).ToArray();
        return new PatchBatch(0, 0, Enumerable.Range(0, count).ToArray(), rgb, labels, size);
    }
}
