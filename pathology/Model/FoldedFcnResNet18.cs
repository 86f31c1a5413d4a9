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
    private NnpackWorkspace? _workspace;

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
        FoldedConv Conv(string conv, string bn, int stride, int padding, bool relu) => FoldedConv.From(state, conv, bn, stride, padding, relu);

        var stem = Conv("features.0", "features.1", 2, 3, relu: true);
        var blocks = new List<ResidualBlock>();
        for (var layer = 1; layer <= 4; layer++)
        {
            for (var block = 0; block < 2; block++)
            {
                var name = $"features.{layer + 3}.{block}";
                // ResNet halves the grid in the first block of layers 2 to 4, where a 1x1 downsample carries the shortcut.
                var stride = layer > 1 && block == 0 ? 2 : 1;
                var downsample = state.ContainsKey($"{name}.downsample.0.weight")
                    ? Conv($"{name}.downsample.0", $"{name}.downsample.1", stride, 0, relu: false)
                    : null;
                blocks.Add(new ResidualBlock(
                    Conv($"{name}.conv1", $"{name}.bn1", stride, 1, relu: true),
                    Conv($"{name}.conv2", $"{name}.bn2", 1, 1, relu: false),
                    downsample));
            }
        }
        var head = new FoldedConv(state["fc.weight"].detach().clone(), state["fc.bias"].detach().clone(), 1, 0, false);
        return new FoldedFcnResNet18(stem, [.. blocks], head);
    }

    /// <summary>
    /// Logits of shape [N, 1, H/32 - 6, W/32 - 6], equal to <see cref="FcnResNet18.forward"/>'s up to rounding
    /// (<paramref name="convolutions"/>: see <see cref="ConvolutionAlgorithm"/>).
    /// </summary>
    public Tensor Forward(Tensor input, ConvolutionAlgorithm convolutions = ConvolutionAlgorithm.Direct)
    {
        using var _ = no_grad();
        var workspace = WorkspaceFor(convolutions);
        var x = Step(input, t => ForLayers(F.max_pool2d(_stem.Apply(t, workspace), 3, 2, 1), workspace));
        foreach (var block in _blocks)
        {
            var y = Step(x, t => block.Apply(t, workspace));
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = y;
        }
        var logits = Step(x, t => F.avg_pool2d(_head.Apply(t, workspace), FcnResNet18.PoolSize, 1));
        x.Dispose();
        workspace?.Release();
        return logits;
    }

    /// <summary>Memory the Winograd convolutions' transformed kernels hold once they have run, and the most scratch a pass took.</summary>
    public (long Kernels, long PeakScratch) WinogradBytes => (AllConvolutions().Sum(c => c.WinogradBytes), (long)(_workspace?.PeakBytes ?? 0));

    /// <summary>Threads of the Winograd convolutions' pool (0: libtorch's intra-op thread count). Set before the first Winograd pass.</summary>
    public int WinogradThreads { get; set; }

    // Null runs direct convolutions; the workspace is created on the first Winograd pass and kept.
    private NnpackWorkspace? WorkspaceFor(ConvolutionAlgorithm convolutions)
    {
        if (convolutions == ConvolutionAlgorithm.Direct) return null;
        if (_stem.Weight.device_type != TorchSharp.DeviceType.CPU || _stem.Weight.dtype != ScalarType.Float32)
            throw new InvalidOperationException($"Winograd convolutions run in float32 on the CPU; this network is {_stem.Weight.dtype} on {_stem.Weight.device}");
        if (Nnpack.WhyUnavailable is { } why) throw new InvalidOperationException($"Winograd convolutions are not available here: {why}");
        return _workspace ??= new NnpackWorkspace(WinogradThreads > 0 ? WinogradThreads : get_num_threads());
    }

    // The stem and its pool run as the input comes (channels-last is oneDNN's fast layout, and libtorch's NCHW max pool
    // took 12 % of a banded Winograd pass against under 1 % channels-last); NNPACK takes NCHW, so the layers get it.
    private static Tensor ForLayers(Tensor pooled, NnpackWorkspace? winograd) => winograd is null ? pooled : pooled.contiguous();

    private IEnumerable<FoldedConv> AllConvolutions() =>
        _blocks.SelectMany(b => new[] { b.Conv1, b.Conv2, b.Downsample }).OfType<FoldedConv>().Append(_stem).Append(_head);

    public void Dispose()
    {
        foreach (var conv in AllConvolutions()) conv.Dispose();
        _workspace?.Dispose();
    }

    // Runs one stage in its own dispose scope so that only its output outlives it.
    private static Tensor Step(Tensor input, Func<Tensor, Tensor> stage)
    {
        using var scope = NewDisposeScope();
        return stage(input).MoveToOuterDisposeScope();
    }

    // A convolution with its batch norm folded in, and the ReLU that follows it where one does.
    private sealed class FoldedConv(Tensor weight, Tensor bias, long stride, long padding, bool relu) : IDisposable
    {
        private WinogradConvolution? _winograd;

        public Tensor Weight { get; } = weight;

        public long WinogradBytes => _winograd?.TransformedBytes ?? 0;

        public static FoldedConv From(Dictionary<string, Tensor> state, string conv, string bn, int stride, int padding, bool relu)
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
                stride, padding, relu);
        }

        public Tensor Apply(Tensor input, NnpackWorkspace? winograd) => Apply(input, padding, winograd);

        /// <summary>The convolution without its vertical padding, for rows run in bands (<see cref="BandedLayer"/>).</summary>
        public BandedLayer Banded(NnpackWorkspace? winograd) =>
            new((int)Weight.shape[2], (int)stride, (int)padding, t => Apply(t, 0, winograd));

        public void Dispose()
        {
            Weight.Dispose();
            bias.Dispose();
            _winograd?.Dispose();
        }

        // Winograd's transforms suit only a 3x3 kernel at stride 1 (13 of the 20 convolutions, 83 % of the work).
        private Tensor Apply(Tensor input, long verticalPadding, NnpackWorkspace? winograd)
        {
            if (winograd is not null && stride == 1 && Weight.shape[2] == 3 && Weight.shape[3] == 3 && padding == 1)
            {
                _winograd ??= new WinogradConvolution(Weight, bias, relu, winograd.ThreadPool);
                return _winograd.Apply(input, (int)verticalPadding, winograd);
            }
            var output = F.conv2d(input, Weight, bias, strides: [stride, stride], padding: [verticalPadding, padding]);
            return relu ? output.relu_() : output;
        }
    }

    private sealed record ResidualBlock(FoldedConv Conv1, FoldedConv Conv2, FoldedConv? Downsample)
    {
        // BasicBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), with each bn folded.
        public Tensor Apply(Tensor x, NnpackWorkspace? winograd)
        {
            var y = Conv2.Apply(Conv1.Apply(x, winograd), winograd);
            var shortcut = Downsample?.Apply(x, winograd) ?? x;
            return y.add_(shortcut).relu_();
        }
    }
}
