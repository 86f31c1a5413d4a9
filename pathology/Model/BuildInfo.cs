namespace OrleansPathology.Model;

/// <summary>Facts fixed when the library was built.</summary>
public static class BuildInfo
{
    /// <summary>Which libtorch this build references: <c>cpu</c> or <c>cuda</c> (MSBuild property TorchDevice).</summary>
#if TORCH_CUDA
    public const string TorchDevice = "cuda";
#else
    public const string TorchDevice = "cpu";
#endif
}
