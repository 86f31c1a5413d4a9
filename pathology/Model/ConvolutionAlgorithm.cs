namespace OrleansPathology.Model;

/// <summary>How the folded network computes its 3x3 stride-1 convolutions (13 of 20, 83 % of its multiply-adds).</summary>
public enum ConvolutionAlgorithm
{
    /// <summary>libtorch's own (oneDNN on a CPU, cuDNN on a GPU): equal to PyTorch's to float rounding.</summary>
    Direct,

    /// <summary>
    /// NNPACK's Winograd F(6x6, 3x3) (<see cref="WinogradConvolution"/>), CPU and float32 only: the banded network
    /// 1.5x as fast per CPU second as with direct ones, results within about 1e-5 of their magnitude (BENCHMARKS.md).
    /// </summary>
    Winograd,
}

/// <summary>The one place convolution algorithm names are read: <c>direct</c>, <c>winograd</c>.</summary>
public static class ConvolutionAlgorithms
{
    public static ConvolutionAlgorithm Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "direct" => ConvolutionAlgorithm.Direct,
        "winograd" => ConvolutionAlgorithm.Winograd,
        _ => throw new ArgumentException($"unknown convolution algorithm '{text}' (expected direct or winograd)"),
    };

    public static string Name(ConvolutionAlgorithm algorithm) => algorithm.ToString().ToLowerInvariant();
}
