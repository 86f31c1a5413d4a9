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
