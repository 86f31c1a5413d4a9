using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// What one sub-batch contributes to a step: the mean gradient of the loss over its samples for every parameter
/// (fp32, already divided by any loss scale), the BatchNorm buffers as the sub-batch left them, and its loss and hit
/// counts. <see cref="Average"/> weights sets by sample count, so K sub-batches averaged equal one batch of all
/// their samples (exactly so where BatchNorm does not use batch statistics; see <see cref="BatchNormMode"/>).
/// Owns its tensors.
/// </summary>
public sealed class GradientSet : IDisposable
{
    public GradientSet(IReadOnlyList<(string Name, Tensor Value)> gradients, IReadOnlyList<(string Name, Tensor Value)> buffers,
        int samples, double lossSum, int correct, bool hasNonFinite)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Gradients = gradients;
        Buffers = buffers;
        Samples = samples;
        LossSum = lossSum;
        Correct = correct;
        HasNonFinite = hasNonFinite;
    }

    /// <summary>Mean gradient over <see cref="Samples"/>, per parameter, in the model's parameter order.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Gradients { get; }

    /// <summary>BatchNorm running statistics (and counters) after this sub-batch, in the model's buffer order.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Buffers { get; }

    public int Samples { get; }

    /// <summary>Sum of the per-sample BCE losses (the mean loss times <see cref="Samples"/>).</summary>
    public double LossSum { get; }

    /// <summary>Samples whose sigmoid(logit) > 0.5 agrees with the label.</summary>
    public int Correct { get; }

    /// <summary>Whether any gradient holds an inf or NaN (a loss scale too high for fp16, or a diverged run).</summary>
    public bool HasNonFinite { get; }

    public double MeanLoss => LossSum / Samples;

    /// <summary>
    /// The sample-weighted mean of <paramref name="parts"/>: gradients and floating-point buffers as
    /// sum_k (n_k / N) x_k; integer buffers (BatchNorm's num_batches_tracked) as their maximum; losses and hits summed.
    /// The result owns new tensors; the parts stay the caller's.
    /// </summary>
    public static GradientSet Average(IReadOnlyList<GradientSet> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("nothing to average", nameof(parts));
        var total = parts.Sum(p => p.Samples);
        using var _ = no_grad();
        var gradients = Combine(parts, p => p.Gradients, total, "gradient");
        var buffers = Combine(parts, p => p.Buffers, total, "buffer");
        return new GradientSet(gradients, buffers, total, parts.Sum(p => p.LossSum), parts.Sum(p => p.Correct), parts.Any(p => p.HasNonFinite));
    }

    private static List<(string, Tensor)> Combine(IReadOnlyList<GradientSet> parts, Func<GradientSet, IReadOnlyList<(string Name, Tensor Value)>> select, int total, string what)
    {
        var first = select(parts[0]);
        var result = new List<(string, Tensor)>(first.Count);
        for (var i = 0; i < first.Count; i++)
        {
            var (name, value) = first[i];
            foreach (var part in parts)
            {
                var list = select(part);
                if (list.Count != first.Count || list[i].Name != name)
                    throw new ArgumentException($"sub-batch {what}s differ: expected '{name}' at position {i}, got '{(i < list.Count ? list[i].Name : "nothing")}'");
            }
            Tensor combined;
            if (value.is_floating_point())
            {
                combined = value.mul((double)parts[0].Samples / total);
                for (var k = 1; k < parts.Count; k++) combined.add_(select(parts[k])[i].Value, alpha: (double)parts[k].Samples / total);
            }
            else
            {
                combined = value.clone();
                for (var k = 1; k < parts.Count; k++) combined = Replace(combined, maximum(combined, select(parts[k])[i].Value));
            }
            result.Add((name, combined.DetachFromDisposeScope()));
        }
        return result;
    }

    private static Tensor Replace(Tensor old, Tensor next)
    {
        old.Dispose();
        return next;
    }

    public void Dispose()
    {
        foreach (var (_, g) in Gradients) g.Dispose();
        foreach (var (_, b) in Buffers) b.Dispose();
    }
}
