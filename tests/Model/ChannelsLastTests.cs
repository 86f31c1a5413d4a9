using TorchSharp;
using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

/// <summary>Channels-last input (inference's layout) against contiguous NCHW (training's): same values, same gradients.</summary>
public sealed class ChannelsLastTests
{
    [Fact]
    public void ChannelsLastInput_GivesTheSameLogitsAndGradients()
    {
        random.manual_seed(3);
        using var model = new FcnResNet18();
        var rgb = new byte[2 * 256 * 256 * 3];
        new Random(4).NextBytes(rgb);
        using var nchw = PatchTensor.FromRgb(rgb, 2, 256, 256, CPU, ScalarType.Float32);
        using var nhwc = PatchTensor.FromRgb(rgb, 2, 256, 256, CPU, ScalarType.Float32, channelsLast: true);
        Assert.True(nchw.is_contiguous());
        Assert.False(nhwc.is_contiguous());
        Assert.Equal(0, (nchw - nhwc).abs().max().item<float>());

        model.eval();
        using (no_grad())
        {
            using var a = model.forward(nchw);
            using var b = model.forward(nhwc);
            Assert.InRange((a.sigmoid() - b.sigmoid()).abs().max().item<float>(), 0, 1e-5f);
        }

        // Gradients through the network with BatchNorm on running statistics (GradientComputer's frozen mode), each layout in
        // fp32 against the same gradients in float64, not against each other: which kernels sum them, in what order, depends
        // on the CPU. On an AMD EPYC Zen 3 (no AVX-512) NCHW's gradients of the stem and layer 1 were 0.6-2.6e-3 of their
        // norm off float64's and channels-last's 2e-6 (the earlier machines had the two agree within 1e-3).
        model.eval();
        var grads = new List<Dictionary<string, Tensor>>();
        var layouts = new List<bool>();
        foreach (var input in new[] { nchw, nhwc })
        {
            model.zero_grad();
            using var loss = model.forward(input).mean();
            loss.backward();
            grads.Add(model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.contiguous().clone()));
            layouts.Add(model.named_parameters().First(p => p.name == "features.0.weight").parameter.grad!.is_contiguous());
        }
        model.to(ScalarType.Float64);
        model.zero_grad();
        using (var nchw64 = nchw.to(ScalarType.Float64))
        using (var loss = model.forward(nchw64).mean())
            loss.backward();
        var exact = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.contiguous().clone());
        foreach (var (name, g) in exact)
        {
            var norm = Math.Max(1e-12, g.norm().item<double>());
            var errors = grads.Select(fp32 => (fp32[name].to(ScalarType.Float64) - g).norm().item<double>() / norm).ToArray();
            // A layout bug (a permuted kernel, a gradient left in the wrong layout) is off by the gradient's size, not 1e-2 of it.
            Assert.True(errors.All(e => e < 1e-2), $"gradient of {name} differs from float64's by {errors[0]:g3} of its norm (NCHW), {errors[1]:g3} (channels-last)");
        }
        // Training's own layout (NCHW, PatchTensor's default) gives contiguous gradients, which GradientComputer clones and ships.
        Assert.True(layouts[0]);
    }
}
