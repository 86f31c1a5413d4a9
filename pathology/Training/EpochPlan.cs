using OrleansPathology.Synthesis;

namespace OrleansPathology.Training;

/// <summary>
/// The order of one epoch: a permutation of the training list drawn from (seed, epoch) alone, cut into global
/// batches. Any process that knows the seed, epoch, list length and batch size computes the same plan, so a
/// coordinator can hand out "step s, samples i..j" and every worker reads the same patches.
/// </summary>
public sealed class EpochPlan
{
    private readonly int[] _order;

    private EpochPlan(int epoch, int[] order, int batchSize, int steps)
    {
        Epoch = epoch;
        _order = order;
        BatchSize = batchSize;
        StepCount = steps;
    }

    public int Epoch { get; }

    /// <summary>Samples per global batch.</summary>
    public int BatchSize { get; }

    /// <summary>Global batches in this epoch.</summary>
    public int StepCount { get; }

    /// <summary>The shuffled sample indices, all of them (a dropped tail included).</summary>
    public IReadOnlyList<int> Order => _order;

    /// <summary>
    /// Shuffles <paramref name="sampleCount"/> indices with a Fisher-Yates draw seeded by (<paramref name="seed"/>,
    /// <paramref name="epoch"/>). With <paramref name="dropLast"/> (the default) a tail shorter than a batch is left out,
    /// as BatchNorm in train mode wants full batches; a list shorter than one batch still gives one (short) batch.
    /// </summary>
    public static EpochPlan Create(int sampleCount, ulong seed, int epoch, int batchSize, bool dropLast = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = new int[sampleCount];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var rng = SplitMix64.For(seed, epoch);
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var steps = dropLast && sampleCount >= batchSize ? sampleCount / batchSize : (sampleCount + batchSize - 1) / batchSize;
        return new EpochPlan(epoch, order, batchSize, steps);
    }

    /// <summary>Position in the epoch of the first sample of <paramref name="step"/>.</summary>
    public int Start(int step) => step * BatchSize;

    /// <summary>The sample indices of global batch <paramref name="step"/>.</summary>
    public ReadOnlySpan<int> Batch(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, StepCount);
        var start = Start(step);
        return _order.AsSpan(start, Math.Min(BatchSize, _order.Length - start));
    }

    /// <summary>
    /// Splits a batch of <paramref name="count"/> samples into <paramref name="parts"/> contiguous sub-batches whose
    /// sizes differ by at most one (the first ones larger): (start, length) pairs.
    /// </summary>
    public static IReadOnlyList<(int Start, int Length)> Split(int count, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        if (parts > count) throw new ArgumentException($"cannot split a batch of {count} into {parts} non-empty sub-batches");
        var result = new List<(int, int)>(parts);
        var start = 0;
        for (var p = 0; p < parts; p++)
        {
            var length = count / parts + (p < count % parts ? 1 : 0);
            result.Add((start, length));
            start += length;
        }
        return result;
    }
}
