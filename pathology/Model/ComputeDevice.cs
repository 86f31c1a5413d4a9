using TorchSharp;

namespace OrleansPathology.Model;

/// <summary>Arithmetic precision of the forward pass. There is no autocast in TorchSharp: model and inputs are cast.</summary>
public enum Precision
{
    /// <summary>32-bit float everywhere.</summary>
    Fp32,

    /// <summary>bfloat16: the CPU's mixed-precision type (no loss scaling needed: fp32's exponent range).</summary>
    Bf16,

    /// <summary>float16: the CUDA mixed-precision type (tensor cores); needs loss scaling when training.</summary>
    Fp16,
}

/// <summary>
/// Where tensors live: <c>cpu</c> or <c>cuda:N</c>, with the precision valid for it. Parsing checks
/// what this process can actually run, so a wrong setting fails at start with its value named.
/// </summary>
public sealed record ComputeDevice(string Name, Precision Precision)
{
    /// <summary>True for <c>cuda:N</c>.</summary>
    public bool IsCuda => Name.StartsWith("cuda", StringComparison.Ordinal);

    /// <summary>The TorchSharp scalar type of the chosen precision.</summary>
    public torch.ScalarType ScalarType => Precision switch
    {
        Precision.Bf16 => torch.ScalarType.BFloat16,
        Precision.Fp16 => torch.ScalarType.Float16,
        _ => torch.ScalarType.Float32,
    };

    public torch.Device TorchDevice => new(Name);

    public override string ToString() => $"{Name}/{Precision.ToString().ToLowerInvariant()}";

    /// <summary>
    /// Parses <c>cpu</c> or <c>cuda:N</c> and <c>fp32|bf16|fp16</c>. Throws <see cref="ArgumentException"/>
    /// for an unknown device, a CUDA device this build or machine lacks, or a precision the device cannot run.
    /// </summary>
    public static ComputeDevice Parse(string device, string precision = "fp32")
    {
        var p = Precisions.Parse(precision);
        var name = device.Trim().ToLowerInvariant();
        if (name == "cpu")
        {
            if (p == Precision.Fp16)
                throw new ArgumentException("precision fp16 is for CUDA devices; on cpu use bf16 or fp32");
            return new ComputeDevice("cpu", p);
        }

        if (name == "cuda") name = "cuda:0";
        if (!name.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(name.AsSpan(5), out var index) || index < 0)
            throw new ArgumentException($"unknown device '{device}' (expected cpu or cuda:N)");
        if (!torch.cuda.is_available())
            throw new ArgumentException($"device '{device}' requested but CUDA is not available (this build references libtorch for '{BuildInfo.TorchDevice}'; build with -p:TorchDevice=cuda on a GPU host)");
        var count = torch.cuda.device_count();
        if (index >= count)
            throw new ArgumentException($"device '{device}' requested but this machine has {count} CUDA device(s)");
        return new ComputeDevice(name, p);
    }
}
