namespace OrleansPathology.Training;

/// <summary>
/// A <see cref="GradientSet"/> as bytes (a <see cref="TensorArchive"/>): how a trainer's sub-batch result crosses the
/// cluster. Gradients and BatchNorm buffers keep their order; the loss sum, hit count, sample count and the non-finite
/// flag travel as scalars, so the coordinator's average is the same as it would be in one process, bit for bit.
/// </summary>
public static class GradientSetArchive
{
    private const string GradientPrefix = "grad:", BufferPrefix = "buffer:";

    public static byte[] Encode(GradientSet set) => TensorArchive.Encode(
        [.. set.Gradients.Select(g => (GradientPrefix + g.Name, g.Value)), .. set.Buffers.Select(b => (BufferPrefix + b.Name, b.Value))],
        [("samples", set.Samples), ("lossSum", set.LossSum), ("correct", set.Correct), ("nonFinite", set.HasNonFinite ? 1 : 0)]);

    /// <summary>Reads a set made by <see cref="Encode"/>; <paramref name="origin"/> (e.g. the trainer's key) names it in errors.</summary>
    public static GradientSet Decode(ReadOnlySpan<byte> data, string origin)
    {
        var (tensors, scalars) = TensorArchive.Decode(data, origin);
        try
        {
            double Scalar(string name) => scalars.TryGetValue(name, out var value)
                ? value
                : throw new TensorArchiveException(origin, $"gradient archive has no '{name}'");
            var gradients = tensors.Where(t => t.Name.StartsWith(GradientPrefix, StringComparison.Ordinal)).Select(t => (t.Name[GradientPrefix.Length..], t.Value)).ToList();
            var buffers = tensors.Where(t => t.Name.StartsWith(BufferPrefix, StringComparison.Ordinal)).Select(t => (t.Name[BufferPrefix.Length..], t.Value)).ToList();
            if (gradients.Count + buffers.Count != tensors.Count) throw new TensorArchiveException(origin, "gradient archive holds tensors that are neither gradients nor buffers");
            return new GradientSet(gradients, buffers, (int)Scalar("samples"), Scalar("lossSum"), (int)Scalar("correct"), Scalar("nonFinite") != 0);
        }
        catch
        {
            foreach (var (_, t) in tensors) t.Dispose();
            throw;
        }
    }
}
