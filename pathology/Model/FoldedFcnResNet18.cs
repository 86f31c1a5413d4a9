using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OrleansPathology.Model;

/// <summary>
/// FcnResNet18 for inference with each batch norm folded into the convolution before it (eval-mode BN is an affine
/// map per channel: w' = w * g / sqrt(var + eps), b' = beta - mean * g / sqrt(var + eps)), so a pass runs 20
/// convolutions with bias and no normalisation passes over the activations. The head runs its 1x1 convolution
/// before the 7x7 average pool (both linear, so the order does not change the result): the pool then averages one
/// channel instead of 512. Stage by stage, each activation freed once the next exists, as
/// <see cref="FcnResNet18.ForwardStageByStage"/>. Weights live on the model's device in its precision.
/// </summary>
public sealed partial class FoldedFcnResNet18 : IDisposable
{
    /// <summary>TorchVision's BatchNorm2d epsilon (ResNet's batch norms keep the default).</summary>
    public const double BatchNormEpsilon = 1e-5;

    private readonly FoldedConv _stem;
    private readonly ResidualBlock[] _blocks;
    private readonly FoldedConv _head;

    private FoldedFcnResNet18(FoldedConv stem, ResidualBlock[] blocks, FoldedConv head)
    {
        _stem = stem;
        _blocks = blocks;
        _head = head;
    }

    /// <summary>Folds a model's weights (its device and precision kept). The model is left as it was.</summary>
    public static FoldedFcnResNet18 Fold(FcnResNet18 model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = model.state_dict();
        FoldedConv Conv(string conv, string bn, int stride, int padding) => FoldedConv.From(state, conv, bn, stride, padding);

        var stem = Conv("features.0", "features.1", 2, 3);
        var blocks = new List<ResidualBlock>();
        for (var layer = 1; layer <= 4; layer++)
        {
            for (var block = 0; block < 2; block++)
            {
                var name = $"features.{layer + 3}.{block}";
                // ResNet halves the grid in the first block of layers 2 to 4, where a 1x1 downsample carries the shortcut.
                var stride = layer > 1 && block == 0 ? 2 : 1;
                var downsample = state.ContainsKey($"{name}.downsample.0.weight")
                    ? Conv($"{name}.downsample.0", $"{name}.downsample.1", stride, 0)
                    : null;
                blocks.Add(new ResidualBlock(
                    Conv($"{name}.conv1", $"{name}.bn1", stride, 1),
                    Conv($"{name}.conv2", $"{name}.bn2", 1, 1),
                    downsample));
            }
        }
        var head = new FoldedConv(state["fc.weight"].detach().clone(), state["fc.bias"].detach().clone(), 1, 0);
        return new FoldedFcnResNet18(stem, [.. blocks], head);
    }

    /// <summary>Logits of shape [N, 1, H/32 - 6, W/32 - 6], equal to <see cref="FcnResNet18.forward"/>'s up to rounding.</summary>
    public Tensor Forward(Tensor input)
    {
        using var _ = no_grad();
        var x = Step(input, t => F.max_pool2d(_stem.Apply(t).relu_(), 3, 2, 1));
        foreach (var block in _blocks)
        {
            var y = Step(x, block.Apply);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = y;
        }
        var logits = Step(x, t => F.avg_pool2d(_head.Apply(t), FcnResNet18.PoolSize, 1));
        x.Dispose();
        return logits;
    }

    public void Dispose()
    {
        _stem.Dispose();
        foreach (var block in _blocks) block.Dispose();
        _head.Dispose();
    }

    // Runs one stage in its own dispose scope so that only its output outlives it.
    private static Tensor Step(Tensor input, Func<Tensor, Tensor> stage)
    {
        using var scope = NewDisposeScope();
        return stage(input).MoveToOuterDisposeScope();
    }

    private sealed record FoldedConv(Tensor Weight, Tensor Bias, long Stride, long Padding) : IDisposable
    {
        public static FoldedConv From(Dictionary<string, Tensor> state, string conv, string bn, int stride, int padding)
        {
            using var scope = NewDisposeScope();
            var weight = state[$"{conv}.weight"];
            // Folded in float64 and cast back, so the folding adds no rounding of its own beyond the final cast.
            var scale = state[$"{bn}.weight"].to(ScalarType.Float64) / (state[$"{bn}.running_var"].to(ScalarType.Float64) + BatchNormEpsilon).sqrt();
            var folded = weight.to(ScalarType.Float64) * scale.reshape(-1, 1, 1, 1);
            var bias = state[$"{bn}.bias"].to(ScalarType.Float64) - state[$"{bn}.running_mean"].to(ScalarType.Float64) * scale;
            return new FoldedConv(
                folded.to(weight.dtype).detach().MoveToOuterDisposeScope(),
                bias.to(weight.dtype).detach().MoveToOuterDisposeScope(),
                stride, padding);
        }

        public Tensor Apply(Tensor input) =>
            F.conv2d(input, Weight, Bias, strides: [Stride, Stride], padding: [Padding, Padding]);

        /// <summary>The convolution without its vertical padding, for rows run in bands (<see cref="BandedLayer"/>).</summary>
        public Tensor ApplyRows(Tensor input) =>
            F.conv2d(input, Weight, Bias, strides: [Stride, Stride], padding: [0, Padding]);

        public BandedLayer Banded(Func<Tensor, Tensor>? then = null) =>
            new((int)Weight.shape[2], (int)Stride, (int)Padding, then is null ? ApplyRows : t => then(ApplyRows(t)));

        public void Dispose()
        {
            Weight.Dispose();
            Bias.Dispose();
        }
    }

    private sealed record ResidualBlock(FoldedConv Conv1, FoldedConv Conv2, FoldedConv? Downsample) : IDisposable
    {
        // BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), with each bn folded.
        public Tensor Apply(Tensor x)
        {
            var y = Conv2.Apply(Conv1.Apply(x).relu_());
            var shortcut = Downsample?.Apply(x) ?? x;
            return y.add_(shortcut).relu_();
        }

        public void Dispose()
        {
            Conv1.Dispose();
            Conv2.Dispose();
            Downsample?.Dispose();
        }
    }
}
