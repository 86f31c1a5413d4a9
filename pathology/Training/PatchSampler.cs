using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using OrleansPathology.Slides;

namespace OrleansPathology.Training;

/// <summary>How <see cref="PatchSampler"/> reads.</summary>
public sealed record PatchSamplerOptions
{
    /// <summary>Patch side, level-0 pixels. Default 224.</summary>
    public int PatchSize { get; init; } = Model.FcnResNet18.PatchSize;

    /// <summary>Batches read ahead of the consumer (the channel's bound). Default 2.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Patches of one batch read (and augmented) at once. Default 2.</summary>
    public int ReadThreads { get; init; } = 2;
}

/// <summary>
/// Reads training patches on demand through OpenSlide: each 224x224 level-0 window around a sample's centre, augmented
/// on the reading thread. An epoch comes from an <see cref="EpochPlan"/> (a seeded shuffle), read ahead through a bounded
/// <see cref="Channel{T}"/> so that reading the next batches overlaps the network's work on this one. Which patches a
/// batch holds, and how each is augmented, depend only on (seed, epoch, step): never on thread timing.
/// Slides are opened once and shared by the reader threads (OpenSlide handles are thread-safe).
/// </summary>
public sealed class PatchSampler : IDisposable
{
    private readonly IReadOnlyList<TrainingSample> _samples;
    private readonly PatchSamplerOptions _options;
    private readonly PatchAugmenter? _augmenter;
    private readonly ulong _seed;
    private readonly ConcurrentDictionary<string, Lazy<Slide>> _slides = new(StringComparer.Ordinal);
    private int _disposed;
    private long _batchesRead;

    /// <param name="samples">The list read from; indices in plans and batches refer to it.</param>
    /// <param name="options">Read-ahead and threads; null for the defaults.</param>
    /// <param name="augmenter">Augmentations for <see cref="ReadBatch"/> and <see cref="ReadEpochAsync"/>; null for none.</param>
    /// <param name="seed">The run seed the per-patch augmentation seeds derive from.</param>
    public PatchSampler(IReadOnlyList<TrainingSample> samples, PatchSamplerOptions? options = null, PatchAugmenter? augmenter = null, ulong seed = 0)
    {
        _samples = samples;
        _options = options ?? new PatchSamplerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.PrefetchBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReadThreads, 1);
        if (augmenter is not null && augmenter.PatchSize != _options.PatchSize)
            throw new ArgumentException($"the augmenter is for {augmenter.PatchSize}-pixel patches, the sampler reads {_options.PatchSize}");
        _augmenter = augmenter;
        _seed = seed;
    }

    public IReadOnlyList<TrainingSample> Samples => _samples;

    public int PatchSize => _options.PatchSize;

    /// <summary>Batches read so far by this sampler (read-ahead included): a gauge of how far reading runs ahead.</summary>
    public long BatchesRead => Interlocked.Read(ref _batchesRead);

    /// <summary>Global batch <paramref name="step"/> of <paramref name="plan"/>, read and augmented now on the calling thread (and helpers).</summary>
    public PatchBatch ReadBatch(EpochPlan plan, int step) => ReadBatch(plan, step, 0, plan.Batch(step).Length);

    /// <summary>
    /// Patches <paramref name="offset"/> .. offset + length - 1 of global batch <paramref name="step"/>: what a cluster
    /// trainer computes of the batch. Each patch is read and augmented exactly as in the whole batch (its augmentation seed
    /// is its position in the epoch), so K slices read by K processes hold the same pixels as the batch read in one.
    /// </summary>
    public PatchBatch ReadBatch(EpochPlan plan, int step, int offset, int length)
    {
        var batch = plan.Batch(step);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (offset + length > batch.Length) throw new ArgumentOutOfRangeException(nameof(length), $"{offset}+{length} is past the {batch.Length} samples of step {step}");
        var indices = batch.Slice(offset, length).ToArray();
        var start = plan.Start(step) + offset;
        return Read(plan.Epoch, step, indices, _augmenter is null ? null : i => PatchAugmenter.SeedFor(_seed, plan.Epoch, start + i));
    }

    /// <summary>Patches at <paramref name="indices"/> without augmentation (validation).</summary>
    public PatchBatch ReadPlain(int[] indices, int step = 0) => Read(-1, step, indices, augmentSeed: null);

    /// <summary>
    /// The batches of <paramref name="plan"/> from <paramref name="firstStep"/>, at most <paramref name="maxSteps"/> of them,
    /// read ahead by <see cref="PatchSamplerOptions.PrefetchBatches"/>. A read failure ends the sequence with that exception.
    /// </summary>
    public IAsyncEnumerable<PatchBatch> ReadEpochAsync(EpochPlan plan, int firstStep = 0, int? maxSteps = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstStep);
        var last = Math.Min(plan.StepCount, maxSteps is { } m ? firstStep + m : plan.StepCount);
        return Prefetch(Enumerable.Range(firstStep, Math.Max(0, last - firstStep)).Select(step => (Func<PatchBatch>)(() => ReadBatch(plan, step))), cancellationToken);
    }

    /// <summary>The whole list in its own order, <paramref name="batchSize"/> at a time (the last batch may be short), without augmentation.</summary>
    public IAsyncEnumerable<PatchBatch> ReadInOrderAsync(int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var steps = (_samples.Count + batchSize - 1) / batchSize;
        return Prefetch(Enumerable.Range(0, steps).Select(step => (Func<PatchBatch>)(() =>
        {
            var start = step * batchSize;
            return ReadPlain(Enumerable.Range(start, Math.Min(batchSize, _samples.Count - start)).ToArray(), step);
        })), cancellationToken);
    }

    private async IAsyncEnumerable<PatchBatch> Prefetch(IEnumerable<Func<PatchBatch>> jobs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<PatchBatch>(new BoundedChannelOptions(_options.PrefetchBatches)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var job in jobs)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    await channel.Writer.WriteAsync(job(), stop.Token).ConfigureAwait(false);
                }
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var batch)) yield return batch;
            }
        }
        finally
        {
            // The consumer stopped (done, failed or abandoned the loop): stop reading ahead and wait for the reader.
            await stop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private PatchBatch Read(int epoch, int step, int[] indices, Func<int, ulong>? augmentSeed)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var size = _options.PatchSize;
        var patchBytes = size * size * 3;
        var rgb = new byte[indices.Length * patchBytes];
        var labels = new float[indices.Length];
        var half = size / 2;
        try
        {
            Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = _options.ReadThreads }, i =>
            {
                var sample = _samples[indices[i]];
                var patch = rgb.AsSpan(i * patchBytes, patchBytes);
                if (PatchImage.IsPatchImage(sample.Image)) PatchImage.ReadWindow(sample.Image, sample.X, sample.Y, size, patch);
                else SlideOf(sample.Image).ReadRegion(sample.X - half, sample.Y - half, 0, size, size, patch, ReadLocality.Isolated); // shuffled: no neighbours
                if (augmentSeed is not null) _augmenter!.Apply(patch, augmentSeed(i));
                labels[i] = sample.Label;
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // A slide that cannot be read is reported as itself (a SlideException naming the file), not as a wrapper.
            ExceptionDispatchInfo.Throw(ex.InnerExceptions[0]);
        }
        Interlocked.Increment(ref _batchesRead);
        return new PatchBatch(epoch, step, indices, rgb, labels, size);
    }

    private Slide SlideOf(string path) =>
        _slides.GetOrAdd(path, p => new Lazy<Slide>(() => Slide.Open(p), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var slide in _slides.Values)
        {
            if (slide.IsValueCreated) slide.Value.Dispose();
        }
        _slides.Clear();
    }
}
