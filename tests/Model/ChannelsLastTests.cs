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

        // Gradients through the network with BatchNorm on running statistics (GradientComputer's frozen mode).
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
        foreach (var (name, g) in grads[0])
        {
            // Relative to the gradient's norm: sums over many positions in another order (oneDNN's NHWC kernels).
            var relative = (g - grads[1][name]).norm().item<float>() / Math.Max(1e-12f, g.norm().item<float>());
            Assert.True(relative < 1e-3f, $"gradient of {name} differs by {relative} of its norm");
        }
        // Training's own layout (NCHW, PatchTensor's default) gives contiguous gradients, which GradientComputer clones and ships.
        Assert.True(layouts[0]);
    }
}
