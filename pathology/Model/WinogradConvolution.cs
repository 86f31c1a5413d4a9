using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OrleansPathology.Model;

/// <summary>
/// A 3x3 stride-1 convolution with bias (and ReLU, if asked) by NNPACK's Winograd F(6x6, 3x3): 64 multiplies per
/// 6x6 outputs and pair of channels where a direct convolution spends 324. The kernel is transformed once, here, and
/// reused by every call. fp32, NCHW, on the CPU. Results equal the direct convolution's to about 1e-5 of their
/// magnitude (the transforms' rounding; tests/Model/WinogradConvolutionTests). Not re-entrant: one caller at a time
/// per <see cref="NnpackWorkspace"/>.
/// </summary>
internal sealed unsafe class WinogradConvolution : IDisposable
{
    private static readonly Nnpack.Size Kernel = new(3, 3), Stride = new(1, 1);
    private readonly nuint _inputChannels, _outputChannels;
    private readonly Tensor _bias;
    private readonly int _activation;
    private void* _transformed;

    public WinogradConvolution(Tensor weight, Tensor bias, bool relu, IntPtr threadPool)
    {
        if (weight.dtype != ScalarType.Float32 || weight.device_type != TorchSharp.DeviceType.CPU || weight.dim() != 4 || weight.shape[2] != 3 || weight.shape[3] != 3)
            throw new ArgumentException($"a Winograd convolution takes a float32 3x3 kernel on the CPU, not {weight.dtype} {string.Join('x', weight.shape)} on {weight.device}", nameof(weight));
        _outputChannels = (nuint)weight.shape[0];
        _inputChannels = (nuint)weight.shape[1];
        _bias = bias.to(ScalarType.Float32).contiguous().clone().DetachFromDisposeScope();
        _activation = relu ? Nnpack.ActivationRelu : Nnpack.ActivationIdentity;
        using var kernel = weight.contiguous();
        var size = new Nnpack.Size(8, 8);
        var padding = new Nnpack.Padding(1, 1, 1, 1);
        nuint bytes = 0;
        fixed (byte* k = kernel.bytes)
        {
            Check(Nnpack.ConvolutionInference(Nnpack.AlgorithmWt8x8, Nnpack.StrategyPrecompute, _inputChannels, _outputChannels,
                size, padding, Kernel, Stride, null, (float*)k, null, null, null, &bytes, _activation, null, threadPool, null));
            _transformed = NativeMemory.AlignedAlloc(bytes, 64);
            Check(Nnpack.ConvolutionInference(Nnpack.AlgorithmWt8x8, Nnpack.StrategyPrecompute, _inputChannels, _outputChannels,
                size, padding, Kernel, Stride, null, (float*)k, null, null, _transformed, &bytes, _activation, null, threadPool, null));
        }
        TransformedBytes = (long)bytes;
    }

    /// <summary>Memory the transformed kernel holds (8x8 per 3x3 kernel: 7.1x the weights).</summary>
    public long TransformedBytes { get; }

    /// <summary>
    /// The convolution of <paramref name="input"/> [N, C, H, W] with one column of zero padding left and right and
    /// <paramref name="verticalPadding"/> rows above and below: [N, C', H + 2 * verticalPadding - 2, W], contiguous.
    /// </summary>
    public Tensor Apply(Tensor input, int verticalPadding, NnpackWorkspace workspace)
    {
        ObjectDisposedException.ThrowIf(_transformed is null, this);
        using var x = input.to(ScalarType.Float32).contiguous();
        var (batch, height, width) = (x.shape[0], x.shape[2], x.shape[3]);
        var output = empty([batch, (long)_outputChannels, height + 2 * verticalPadding - 2, width], ScalarType.Float32);
        var size = new Nnpack.Size(width, height);
        var padding = new Nnpack.Padding(verticalPadding, 1, verticalPadding, 1);
        var inputImage = (long)_inputChannels * height * width;
        var outputImage = output.shape[1] * output.shape[2] * output.shape[3];
        nuint needed = 0;
        Check(Nnpack.ConvolutionInference(Nnpack.AlgorithmWt8x8, Nnpack.StrategyReuse, _inputChannels, _outputChannels,
            size, padding, Kernel, Stride, null, (float*)_transformed, null, null, null, &needed, _activation, null, workspace.ThreadPool, null));
        var buffer = workspace.Rent(needed);
        fixed (byte* i = x.bytes)
        fixed (byte* o = output.bytes)
        fixed (byte* b = _bias.bytes)
        {
            for (long n = 0; n < batch; n++)
            {
                var capacity = workspace.Bytes;
                Check(Nnpack.ConvolutionInference(Nnpack.AlgorithmWt8x8, Nnpack.StrategyReuse, _inputChannels, _outputChannels,
                    size, padding, Kernel, Stride, (float*)i + n * inputImage, (float*)_transformed, (float*)b, (float*)o + n * outputImage,
                    buffer, &capacity, _activation, null, workspace.ThreadPool, null));
            }
        }
        Nnpack.YieldWorkers(workspace.ThreadPool);
        return output;
    }

    public void Dispose()
    {
        _bias.Dispose();
        NativeMemory.AlignedFree(_transformed);
        _transformed = null;
    }

    private static void Check(int status)
    {
        if (status != Nnpack.StatusSuccess) throw new InvalidOperationException($"NNPACK's Winograd convolution failed (nnp_status {status})");
    }
}

/// <summary>
/// NNPACK's scratch memory for the transformed tiles of one convolution at a time, kept between the calls of one
/// forward pass (allocating it per call costs a page fault per 4 KiB: tens of MB a band), grown to the largest
/// call's need, and released after the pass so an idle model holds none.
/// </summary>
internal sealed unsafe class NnpackWorkspace(int threads) : IDisposable
{
    private void* _buffer;

    /// <summary>This model's own pool: a pool serves one call at a time, and devices sharing one waited on each other.</summary>
    public IntPtr ThreadPool { get; private set; } = Nnpack.CreatePool(threads);

    public nuint Bytes { get; private set; }

    /// <summary>The most it has held at once.</summary>
    public nuint PeakBytes { get; private set; }

    public void* Rent(nuint bytes)
    {
        if (bytes <= Bytes) return _buffer;
        NativeMemory.AlignedFree(_buffer);
        _buffer = NativeMemory.AlignedAlloc(bytes, 64);
        Bytes = bytes;
        PeakBytes = Math.Max(PeakBytes, bytes);
        return _buffer;
    }

    public void Release()
    {
        NativeMemory.AlignedFree(_buffer);
        _buffer = null;
        Bytes = 0;
    }

    public void Dispose()
    {
        Release();
        Nnpack.DestroyPool(ThreadPool);
        ThreadPool = IntPtr.Zero;
    }
}
