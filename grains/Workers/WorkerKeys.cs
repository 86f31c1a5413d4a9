using System.Globalization;

namespace OrleansPathology.Grains.Workers;

/// <summary>Worker grain keys: <c>{siloName}/{device}</c>, the silo segment naming where the worker must run.</summary>
public static class WorkerKeys
{
    public const char Separator = '/';

    public static string Format(string siloName, string device) => $"{siloName}{Separator}{device}";

    /// <summary>Splits a worker key; throws <see cref="FormatException"/> naming the key when it has no silo or device.</summary>
    public static (string SiloName, string Device) Parse(string key)
    {
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0 || at == key.Length - 1)
            throw new FormatException($"worker key '{key}' is not '{{siloName}}/{{device}}'");
        return (key[..at], key[(at + 1)..]);
    }
}

/// <summary>Worker device names: <c>cpu:N</c> (the N-th CPU worker) and <c>cuda:N</c> (the N-th GPU).</summary>
public static class WorkerDevices
{
    public static bool IsValid(string device) => TryParse(device, out _, out _);

    public static string Cpu(int index) => $"cpu:{index.ToString(CultureInfo.InvariantCulture)}";

    public static string Cuda(int index) => $"cuda:{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The TorchSharp device a worker computes on: every <c>cpu:N</c> worker shares the <c>cpu</c> device
    /// (N only tells the workers apart); <c>cuda:N</c> is that GPU.
    /// </summary>
    public static string TorchDevice(string device)
    {
        if (!TryParse(device, out var cuda, out _))
            throw new ArgumentException($"worker device '{device}' is not cpu:N or cuda:N", nameof(device));
        return cuda ? device : "cpu";
    }

    private static bool TryParse(string device, out bool cuda, out int index)
    {
        index = -1;
        cuda = device.StartsWith("cuda:", StringComparison.Ordinal);
        var digits = cuda ? device.AsSpan(5) : device.StartsWith("cpu:", StringComparison.Ordinal) ? device.AsSpan(4) : [];
        return digits.Length > 0 && digits.IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
