using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OrleansPathology.Model;

/// <summary>
/// ResNet18 with its classifier made fully convolutional, as MONAI's TorchVisionFCModel builds it for
/// the pathology_tumor_detection bundle: TorchVision's backbone without avgpool/fc as <c>features</c>,
/// a 7x7 average pool with stride 1 as <c>pool</c>, and a 1x1 convolution to one logit as <c>fc</c>.
/// A 224x224 patch gives a 1x1 logit map; a larger region gives one logit per 32-pixel step of a
/// 224 window, which is what lets dense inference share the work of overlapping windows.
/// The parameter names therefore equal MONAI's (<c>features.0.weight</c>, ..., <c>fc.bias</c>).
/// </summary>
public sealed class FcnResNet18 : Module<Tensor, Tensor>
{
    /// <summary>The side of the patch the network was designed for (MONAI/Clara: 224).</summary>
    public const int PatchSize = 224;

    /// <summary>Total downsampling of the backbone: one output step per 32 input pixels.</summary>
    public const int OutputStride = 32;

    /// <summary>Side of the pooling window in backbone cells: 224 / 32.</summary>
    public const int PoolSize = 7;

    /// <summary>11,176,512 backbone parameters plus 513 for the 1x1 head.</summary>
    public const long ExpectedParameterCount = 11_177_025;

    private readonly Sequential features;
    private readonly AvgPool2d pool;
    private readonly Conv2d fc;

    public FcnResNet18() : base(nameof(FcnResNet18))
    {
        // TorchVision's ResNet children in order: conv1, bn1, relu, maxpool, layer1..layer4, then the
        // classifier (avgpool, TorchSharp's flatten, fc). MONAI keeps everything before the classifier as an
        // indexed Sequential; so do we, for key compatibility.
        // Not disposed: Dispose() would dispose the children we keep. Only its own native handle is freed
        // when it is collected (see FcnResNet18Tests.SurvivesTheBackboneWrapperBeingCollected).
        var backbone = torchvision.models.resnet18();
        var kept = backbone.named_children()
            .TakeWhile(c => c.name != "avgpool")
            .Select((c, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), (Module<Tensor, Tensor>)c.module))
            .ToArray();
        if (kept.Length != 8)
            throw new InvalidOperationException($"TorchVision's resnet18 has an unexpected layout ({string.Join(", ", backbone.named_children().Select(c => c.name))})");
        features = nn.Sequential(kept);
        pool = nn.AvgPool2d(PoolSize, stride: 1);
        fc = nn.Conv2d(512, 1, kernel_size: 1, bias: true);
        RegisterComponents();
    }

    /// <summary>Logits of shape [N, 1, H/32 - 6, W/32 - 6] for input [N, 3, H, W] scaled to [-1, 1].</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var logits = fc.forward(pool.forward(features.forward(input)));
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The same logits as <see cref="forward"/>, computed one stage at a time (stem layers, then each residual block)
    /// with each stage's input freed as soon as its output exists. <see cref="forward"/> keeps every intermediate
    /// tensor until the pass ends: about 2 GB for a 1888 px dense region, against a few hundred MB here. Inference
    /// only: training needs the intermediates for backward.
    /// </summary>
    public Tensor ForwardStageByStage(Tensor input)
    {
        var x = input;
        foreach (var stage in Stages())
        {
            Tensor y;
            using (var scope = NewDisposeScope())
            {
                y = stage.forward(x).MoveToOuterDisposeScope();
            }
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        Tensor logits;
        using (var scope = NewDisposeScope())
        {
            logits = fc.forward(pool.forward(x)).MoveToOuterDisposeScope();
        }
        if (!ReferenceEquals(x, input)) x.Dispose();
        return logits;
    }

    // conv1, bn1, relu, maxpool, then layer1..layer4 opened into their residual blocks.
    private IEnumerable<Module<Tensor, Tensor>> Stages()
    {
        foreach (var child in features.children())
        {
            if (child is Sequential layer)
            {
                foreach (var block in layer.children()) yield return (Module<Tensor, Tensor>)block;
            }
            else
            {
                yield return (Module<Tensor, Tensor>)child;
            }
        }
    }

    /// <summary>How many logits a region of <paramref name="pixels"/> yields along one axis (0 if smaller than a patch).</summary>
    public static int OutputSize(int pixels) => Math.Max(0, pixels / OutputStride - (PoolSize - 1));

    /// <summary>Trainable parameter count (BatchNorm running statistics are buffers, not parameters).</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
