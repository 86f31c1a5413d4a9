using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace OrleansPathology.Model;

/// <summary>
/// NNPACK, which the libtorch CPU builds carry but which libtorch's own convolution dispatch never picks on desktop
/// (oneDNN comes first, and NNPACK only for batches of 16 or more); its C entry points are exported from libtorch_cpu.
/// </summary>
internal static partial class Nnpack
{
    private const string Library = "torch_cpu";

    public const int StatusSuccess = 0;
    public const int AlgorithmWt8x8 = 3; // Winograd F(6x6, 3x3): 8x8 input tiles
    public const int StrategyPrecompute = 2, StrategyReuse = 3;
    public const int ActivationIdentity = 0, ActivationRelu = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct Size(long width, long height)
    {
        public nuint Width = (nuint)width, Height = (nuint)height;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Padding(long top, long right, long bottom, long left)
    {
        public nuint Top = (nuint)top, Right = (nuint)right, Bottom = (nuint)bottom, Left = (nuint)left;
    }

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            // Loads libtorch (and so libtorch_cpu) before the first call into it.
            _ = get_num_threads();
            var status = Initialize();
            // 51: the CPU lacks what NNPACK needs (on x86-64, AVX2 and FMA).
            return status == StatusSuccess ? null : $"nnp_initialize returned {status}";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"libtorch has no NNPACK ({e.Message})";
        }
    });

    /// <summary>Null when NNPACK runs on this machine, else why not.</summary>
    public static string? WhyUnavailable => Unavailable.Value;

    /// <summary>A pool of <paramref name="threads"/> (the caller counted); null (IntPtr.Zero) for 1: NNPACK then runs on the caller alone.</summary>
    public static IntPtr CreatePool(int threads) => threads > 1 ? CreateThreadPool((nuint)threads) : IntPtr.Zero;

    public static void DestroyPool(IntPtr pool)
    {
        if (pool != IntPtr.Zero) DestroyThreadPool(pool);
    }

    /// <summary>
    /// Sends the pool's workers to sleep now. After a call they spin for up to a million iterations waiting for the
    /// next (pthreadpool's default), which on a 2-core machine takes a core from libtorch's own threads for the
    /// operations between two Winograd convolutions. An empty task run with the yield flag ends the spin.
    /// </summary>
    public static unsafe void YieldWorkers(IntPtr pool)
    {
        if (pool == IntPtr.Zero) return;
        ParallelizeOneDimension(pool, &Nothing, null, (nuint)Math.Max(2, ThreadCount(pool)), FlagYieldWorkers);
    }

    private const uint FlagYieldWorkers = 0x2;

    [UnmanagedCallersOnly]
    private static unsafe void Nothing(void* context, nuint index)
    {
    }

    [LibraryImport(Library, EntryPoint = "nnp_initialize")]
    private static partial int Initialize();

    [LibraryImport(Library, EntryPoint = "pthreadpool_create")]
    private static partial IntPtr CreateThreadPool(nuint threads);

    [LibraryImport(Library, EntryPoint = "pthreadpool_destroy")]
    private static partial void DestroyThreadPool(IntPtr pool);

    [LibraryImport(Library, EntryPoint = "pthreadpool_get_threads_count")]
    private static partial nuint ThreadCount(IntPtr pool);

    [LibraryImport(Library, EntryPoint = "pthreadpool_parallelize_1d")]
    private static unsafe partial void ParallelizeOneDimension(IntPtr pool, delegate* unmanaged<void*, nuint, void> task, void* context, nuint range, uint flags);

    [LibraryImport(Library, EntryPoint = "nnp_convolution_inference")]
    public static unsafe partial int ConvolutionInference(
        int algorithm, int transformStrategy, nuint inputChannels, nuint outputChannels,
        Size inputSize, Padding inputPadding, Size kernelSize, Size outputSubsampling,
        float* input, float* kernel, float* bias, float* output,
        void* workspace, nuint* workspaceSize, int activation, void* activationParameters,
        IntPtr threadPool, void* profile);
}
