using System.Security.Cryptography;

namespace OrleansPathology.Model;

/// <summary>
/// Weights pinned by content: a cohort records the SHA-256 of its weights when it is submitted and keeps a copy
/// named by that digest in a store folder (inside the data roots), so every batch of the cohort is scored by the
/// same model even when the original file is overwritten in place, and a model cache keyed by digest never serves
/// one model for another. Loading checks the bytes against the digest before they reach libtorch.
/// </summary>
public static class PinnedWeights
{
    /// <summary>The store folder under a cohort's output root.</summary>
    public const string StoreFolder = ".weights";

    /// <summary>Where weights of <paramref name="digest"/> are kept under <paramref name="outputRoot"/>.</summary>
    public static string PathFor(string outputRoot, string digest) => Path.Combine(outputRoot, StoreFolder, $"{digest}.weights");

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Reads <paramref name="weightsPath"/> once, checks that it is a loadable model (its card and its tensors), and
    /// keeps a copy named by its digest under <paramref name="outputRoot"/>; returns the digest. A copy already there
    /// is kept (same digest, same bytes). Throws <see cref="ModelWeightsException"/> naming the file.
    /// </summary>
    public static string Pin(string weightsPath, string outputRoot)
    {
        var bytes = ReadAll(weightsPath);
        ModelWeights.ReadCard(weightsPath);
        // Validate the very bytes that are pinned: a file rewritten between reading and loading cannot slip through.
        LoadFrom(bytes, weightsPath).Dispose();
        var digest = Digest(bytes);
        var pinned = PathFor(outputRoot, digest);
        if (!File.Exists(pinned) || Digest(File.ReadAllBytes(pinned)) != digest)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(pinned)!);
            var temporary = $"{pinned}.{Guid.NewGuid():N}.partial";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, pinned, overwrite: true);
        }
        var cardText = File.ReadAllText(ModelWeights.CardPath(weightsPath));
        var cardTemporary = $"{ModelWeights.CardPath(pinned)}.{Guid.NewGuid():N}.partial";
        File.WriteAllText(cardTemporary, cardText);
        File.Move(cardTemporary, ModelWeights.CardPath(pinned), overwrite: true);
        return digest;
    }

    /// <summary>
    /// Loads the weights at <paramref name="path"/> on the CPU, after checking that their bytes have
    /// <paramref name="digest"/>; a file that changed fails naming the file and both digests.
    /// </summary>
    public static FcnResNet18 LoadVerified(string path, string digest)
    {
        var bytes = ReadAll(path);
        var found = Digest(bytes);
        if (found != digest)
            throw new ModelWeightsException(path, $"content changed since the cohort was submitted (sha256 {Short(found)}, pinned {Short(digest)}); resubmit under a new cohort id");
        ModelWeights.ReadCard(path);
        return LoadFrom(bytes, path);
    }

    private static string Short(string digest) => digest.Length > 16 ? digest[..16] : digest;

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path)) throw new ModelWeightsException(path, "weights file not found");
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelWeightsException(path, $"cannot be read ({ex.Message})", ex);
        }
    }

    private static FcnResNet18 LoadFrom(byte[] bytes, string path)
    {
        var model = new FcnResNet18();
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            model.load(stream, strict: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            model.Dispose();
            throw new ModelWeightsException(path, $"not a readable {ModelCard.FcnArchitecture} weights file ({ex.GetType().Name}: {ex.Message})", ex);
        }
        return model;
    }
}
