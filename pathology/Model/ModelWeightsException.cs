namespace OrleansPathology.Model;

/// <summary>A weights file (or its sidecar) is missing, truncated, or holds something other than our model.</summary>
public sealed class ModelWeightsException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string Path { get; } = path;
}
