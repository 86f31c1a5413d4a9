using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansPathology.Model;

/// <summary>
/// The JSON sidecar written beside every weights file (<c>W.json</c> for weights <c>W</c>): what the
/// weights are for and where they came from, so a file found on shared storage explains itself.
/// </summary>
public sealed record ModelCard
{
    /// <summary>Version of this sidecar's layout; bumped only when a field changes meaning.</summary>
    public const string CurrentFormat = "orleans-pathology-model/1";

    public string Format { get; init; } = CurrentFormat;

    /// <summary>Network family; only <c>resnet18-fcn</c> (MONAI's TorchVisionFCModel over ResNet18) exists.</summary>
    public string Architecture { get; init; } = FcnArchitecture;

    /// <summary>Side of the square input patch in level-0 pixels.</summary>
    public int InputSize { get; init; } = FcnResNet18.PatchSize;

    /// <summary>Output step of the fully convolutional map in input pixels.</summary>
    public int OutputStride { get; init; } = FcnResNet18.OutputStride;

    /// <summary>How RGB bytes become network input.</summary>
    public string Normalisation { get; init; } = "intensity [0,255] -> [-1,1] (x/127.5 - 1), RGB, NCHW";

    /// <summary>Output: one logit per window; sigmoid gives the tumour probability.</summary>
    public string Output { get; init; } = "1 logit (sigmoid = P(tumour))";

    public long ParameterCount { get; init; } = FcnResNet18.ExpectedParameterCount;

    /// <summary>Where the weights came from: <c>random</c>, <c>imagenet</c>, <c>imported</c> or <c>trained</c>, with details.</summary>
    public ModelProvenance Provenance { get; init; } = new("random");

    public const string FcnArchitecture = "resnet18-fcn";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>How a set of weights came to be.</summary>
/// <param name="Init">random, imagenet, imported or trained.</param>
/// <param name="Seed">The random seed, where one was used.</param>
/// <param name="Source">A file the weights were derived from (an ONNX model, a PyTorch checkpoint).</param>
/// <param name="Notes">Free text: key mapping, training summary.</param>
/// <param name="Training">Training facts (epochs, dataset, accuracy) when Init is trained.</param>
public sealed record ModelProvenance(
    string Init,
    long? Seed = null,
    string? Source = null,
    string? Notes = null,
    IReadOnlyDictionary<string, string>? Training = null);
