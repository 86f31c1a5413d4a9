namespace OrleansPathology.Grains.Devices;

/// <summary>
/// Keys of the grains pinned to one device of one silo, the inference worker and the trainer: <c>{siloName}/{device}</c>,
/// the silo segment naming where the grain must run.
/// </summary>
public static class DeviceKeys
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
