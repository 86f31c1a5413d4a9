using System.Globalization;

namespace OrleansPathology.Inference;

/// <summary>What kind of device scores batches on a silo.</summary>
public enum DeviceKind
{
    /// <summary>A CPU scoring device; every <c>cpu:N</c> shares the process's <c>cpu</c> libtorch device.</summary>
    Cpu,

    /// <summary>The N-th CUDA GPU.</summary>
    Cuda,

    /// <summary>
    /// A simulated GPU: it goes through leasing, results and persistence like a real device but returns
    /// deterministic probabilities after a configured time, so one machine can host a cluster of many "GPUs".
    /// </summary>
    Sim,
}

/// <summary>
/// One entry of a silo's device inventory: <c>cpu:N</c>, <c>cuda:N</c> or <c>sim:N</c>. Parsed here only, so
/// inference, training and hosting agree on what a device name means.
/// </summary>
public readonly record struct DeviceName(DeviceKind Kind, int Index)
{
    public static DeviceName Cpu(int index) => new(DeviceKind.Cpu, index);

    public static DeviceName Cuda(int index) => new(DeviceKind.Cuda, index);

    public static DeviceName Sim(int index) => new(DeviceKind.Sim, index);

    /// <summary>
    /// The libtorch device that computes for this entry: <c>cuda:N</c> for a GPU, <c>cpu</c> otherwise (a simulated
    /// device computes nothing when scoring; a trainer on a simulated node trains on its CPU).
    /// </summary>
    public string TorchDevice => Kind == DeviceKind.Cuda ? ToString() : "cpu";

    public override string ToString() => $"{KindName(Kind)}:{Index.ToString(CultureInfo.InvariantCulture)}";

    public static string KindName(DeviceKind kind) => kind switch
    {
        DeviceKind.Cuda => "cuda",
        DeviceKind.Sim => "sim",
        _ => "cpu",
    };

    /// <summary>Parses <c>cpu:N</c>, <c>cuda:N</c> or <c>sim:N</c>; throws <see cref="ArgumentException"/> naming the text otherwise.</summary>
    public static DeviceName Parse(string text) =>
        TryParse(text, out var name) ? name : throw new ArgumentException($"device '{text}' is not cpu:N, cuda:N or sim:N");

    public static bool TryParse(string? text, out DeviceName name)
    {
        name = default;
        if (text is null) return false;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        DeviceKind? kind = text[..colon] switch
        {
            "cpu" => DeviceKind.Cpu,
            "cuda" => DeviceKind.Cuda,
            "sim" => DeviceKind.Sim,
            _ => null,
        };
        var digits = text.AsSpan(colon + 1);
        if (kind is null || digits.Length == 0 || digits.IndexOfAnyExceptInRange('0', '9') >= 0
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            return false;
        name = new DeviceName(kind.Value, index);
        return true;
    }
}
