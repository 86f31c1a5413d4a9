using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// Re-draws a network's initial weights from a seed of its own (a private <see cref="Generator"/>, not torch's global
/// one), so a run from scratch is repeatable even while other code in the process draws random numbers. The
/// distributions are those the model would get anyway: TorchVision's ResNet init for the backbone (Kaiming normal,
/// fan_out, ReLU gain, on every convolution; BatchNorm weight 1, bias 0) and PyTorch's default Conv2d init for the
/// 1x1 head named <see cref="HeadName"/> (Kaiming uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias alike).
/// </summary>
public static class SeededInitialisation
{
    /// <summary>The head of <see cref="Model.FcnResNet18"/>: MONAI TorchVisionFCModel's 1x1 convolution.</summary>
    public const string HeadName = "fc";

    public static void Apply(nn.Module model, ulong seed)
    {
        using var generator = new Generator(seed);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, module) in model.named_modules())
        {
            switch (module)
            {
                case Conv2d conv when name == HeadName:
                {
                    var weight = conv.weight!;
                    var fanIn = weight.shape[1] * weight.shape[2] * weight.shape[3];
                    var bound = 1 / Math.Sqrt(fanIn);
                    weight.copy_(Uniform(weight.shape, bound, generator));
                    conv.bias?.copy_(Uniform(conv.bias.shape, bound, generator));
                    break;
                }
                case Conv2d conv:
                {
                    var weight = conv.weight!;
                    var fanOut = weight.shape[0] * weight.shape[2] * weight.shape[3];
                    weight.copy_(randn(weight.shape, ScalarType.Float32, generator: generator).mul_(Math.Sqrt(2.0 / fanOut)));
                    conv.bias?.zero_();
                    break;
                }
                case BatchNorm2d bn:
                    bn.weight?.fill_(1);
                    bn.bias?.zero_();
                    bn.running_mean?.zero_();
                    bn.running_var?.fill_(1);
                    bn.num_batches_tracked?.zero_();
                    break;
            }
        }
    }

    private static Tensor Uniform(long[] shape, double bound, Generator generator) =>
        rand(shape, ScalarType.Float32, generator: generator).mul_(2 * bound).sub_(bound);
}
