namespace OrleansPathology.Inference;

/// <summary>
/// The weights a batch is scored with: a file, and the SHA-256 its bytes must have when the cohort pinned them
/// (null for weights named by path alone). Devices cache models by digest where there is one, otherwise by the
/// file's path, size and time written, so a file rewritten in place is never served from the cache.
/// </summary>
public sealed record WeightsSource(string Path, string? Digest = null)
{
    public static implicit operator WeightsSource(string path) => new(path);

    /// <summary>What identifies the model's content: the digest, or else the file as it is now on disk.</summary>
    public string CacheKey()
    {
        if (Digest is not null) return "sha256:" + Digest;
        var file = new FileInfo(Path);
        return file.Exists ? $"{file.FullName}@{file.Length}:{file.LastWriteTimeUtc.Ticks}" : Path;
    }
}
