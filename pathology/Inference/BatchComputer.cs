using OrleansPathology.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace OrleansPathology.Inference;

/// <summary>
/// The compute half of inference: a loaded model on one device runs read batches to probabilities.
/// One instance is used by one thread at a time (a model's forward pass is not re-entrant).
/// </summary>
public sealed class BatchComputer : IDisposable
{
    private readonly FcnResNet18? _model;
    private readonly FoldedFcnResNet18? _folded;

    /// <summary>
    /// Takes ownership of <paramref name="model"/>. By default its batch norms are folded into the convolutions
    /// (<see cref="FoldedFcnResNet18"/>, same probabilities to ~1e-6) and the model itself is freed;
    /// <paramref name="foldBatchNorm"/> false runs it as trained (benchmarks compare the two).
    /// </summary>
    public BatchComputer(FcnResNet18 model, ComputeDevice device, bool foldBatchNorm = true)
    {
        Device = device;
        BandRows = DefaultBandRowsFor(device);
        _denseConvolutions = foldBatchNorm ? DefaultDenseConvolutionsFor(device) : ConvolutionAlgorithm.Direct;
        var prepared = ModelLoader.PrepareForInference(model, device);
        if (!foldBatchNorm)
        {
            _model = prepared;
            return;
        }
        try
        {
            _folded = FoldedFcnResNet18.Fold(prepared);
        }
        finally
        {
            prepared.Dispose();
        }
    }

    public ComputeDevice Device { get; }

    /// <summary>
    /// Input rows a dense region is computed in at a time (<see cref="FoldedFcnResNet18.ForwardInBands"/>): activations
    /// are bounded by the region's width times this, not by its area, so regions can be as large as the tissue cover
    /// wants. The result does not depend on it (to float rounding). Default <see cref="DefaultBandRows"/> on a CPU,
    /// <see cref="CudaBandRows"/> on a GPU, whose memory holds a whole region and which wants few, large launches.
    /// </summary>
    public int BandRows { get; init; }

    // 192 input rows are 6 rows of layer 4's output, 12 of layer 3's, 24 and 48 of layers 2 and 1: whole 6-row tiles
    // of the Winograd convolutions (256 left layer 4 computing 12 rows for 8).
    public const int DefaultBandRows = 192, CudaBandRows = 4096;

    public static int DefaultBandRowsFor(ComputeDevice device) => device.IsCuda ? CudaBandRows : DefaultBandRows;

    /// <summary>
    /// How dense regions' 3x3 convolutions run. Winograd by default on a CPU in float32 where NNPACK runs (dense
    /// inference's speed; maps within 1e-5 of direct's, BENCHMARKS.md), else direct. Patch batches always run
    /// direct, so patch mode stays equal to PyTorch's per-patch reference.
    /// </summary>
    public ConvolutionAlgorithm DenseConvolutions
    {
        get => _denseConvolutions;
        init
        {
            EnsureDenseConvolutions(Device, value, _folded is not null);
            _denseConvolutions = value;
        }
    }

    /// <summary>Throws, naming why, where <paramref name="algorithm"/> cannot run dense regions on <paramref name="device"/>.</summary>
    public static void EnsureDenseConvolutions(ComputeDevice device, ConvolutionAlgorithm algorithm, bool folded = true)
    {
        if (algorithm == ConvolutionAlgorithm.Winograd && WhyNoWinograd(device, folded) is { } why)
            throw new ArgumentException($"Winograd convolutions cannot run here: {why}");
    }

    private readonly ConvolutionAlgorithm _denseConvolutions;

    /// <summary>
    /// Threads the Winograd convolutions run on (their own pool, one per computer); 0: libtorch's intra-op count.
    /// Computers that run at once in one process should share the cores between them, not each take them all.
    /// </summary>
    public int WinogradThreads
    {
        get => _folded?.WinogradThreads ?? 0;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (_folded is not null) _folded.WinogradThreads = value;
        }
    }

    public static ConvolutionAlgorithm DefaultDenseConvolutionsFor(ComputeDevice device) =>
        WhyNoWinograd(device, folded: true) is null ? ConvolutionAlgorithm.Winograd : ConvolutionAlgorithm.Direct;

    private static string? WhyNoWinograd(ComputeDevice device, bool folded) =>
        device.IsCuda ? "the device is a GPU"
        : device.ScalarType != ScalarType.Float32 ? $"the precision is {device.ScalarType}, not float32"
        : !folded ? "batch norm is not folded"
        : Nnpack.WhyUnavailable;

    public BatchResult Compute(BatchPixels pixels)
    {
        try
        {
            return ComputeOnce(pixels);
        }
        finally
        {
            // Dense regions leave hundreds of MB free in glibc's heap after each pass: give them back.
            if (pixels.Batch.Mode == InferenceMode.Dense) NativeHeap.Trim();
        }
    }

    private BatchResult ComputeOnce(BatchPixels pixels)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var batch = pixels.Batch;
        var logits = batch.Mode == InferenceMode.Dense && _folded is not null ? DenseInBands(pixels, _folded) : Whole(pixels);
        var probabilities = logits.sigmoid().to(ScalarType.Float32).cpu();
        return batch.Mode == InferenceMode.Patch
            ? new BatchResult(batch.Index, batch.Cells, probabilities.reshape(-1).data<float>().ToArray())
            : new BatchResult(batch.Index, batch.Cells, SampleCells(probabilities[0, 0], batch));
    }

    private Tensor Whole(BatchPixels pixels)
    {
        var input = PatchTensor.FromRgb(pixels.Rgb, pixels.Count, pixels.Height, pixels.Width, Device.TorchDevice, Device.ScalarType, channelsLast: true);
        return _folded?.Forward(input) ?? _model!.ForwardStageByStage(input);
    }

    private Tensor DenseInBands(BatchPixels pixels, FoldedFcnResNet18 folded)
    {
        // The region's bytes only: a pooled buffer may be longer.
        var bytes = frombuffer(pixels.Rgb, ScalarType.Byte, count: pixels.Bytes).view(1, pixels.Height, pixels.Width, 3);
        return folded.ForwardInBands(pixels.Height, BandRows, (first, count) =>
            PatchTensor.FromBytes(bytes.narrow(1, first, count), Device.TorchDevice, Device.ScalarType, channelsLast: true), DenseConvolutions);
    }

    // Reads each tissue cell's value from the dense output grid (bilinear where the stride is not a multiple of 32).
    private static float[] SampleCells(Tensor map, TileBatch batch)
    {
        var height = (int)map.shape[0];
        var width = (int)map.shape[1];
        var values = map.contiguous().data<float>().ToArray();
        var rect = batch.Region!.Value;
        var result = new float[batch.Cells.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var (ox, oy) = DenseGeometry.OutputPosition(batch.Cells[i], rect, batch.Stride, batch.ContextMargin);
            result[i] = Bilinear(values, width, height, ox, oy);
        }
        return result;
    }

    private static float Bilinear(float[] values, int width, int height, double x, double y)
    {
        var x0 = Math.Min((int)Math.Floor(x), width - 1);
        var y0 = Math.Min((int)Math.Floor(y), height - 1);
        var x1 = Math.Min(x0 + 1, width - 1);
        var y1 = Math.Min(y0 + 1, height - 1);
        var fx = (float)(x - x0);
        var fy = (float)(y - y0);
        var top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx;
        var bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx;
        return top * (1 - fy) + bottom * fy;
    }

    public void Dispose()
    {
        _model?.Dispose();
        _folded?.Dispose();
    }
}
