using OrleansPathology.Slides;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Epoch plans and the read-ahead patch sampler on the synthetic cohort.</summary>
public sealed class PatchSamplerTests(TrainingCohortFixture cohort) : IClassFixture<TrainingCohortFixture>
{
    [Fact]
    public void Epoch_order_is_a_seeded_permutation_that_changes_with_the_epoch()
    {
        var a = EpochPlan.Create(50, seed: 3, epoch: 0, batchSize: 8);
        var b = EpochPlan.Create(50, seed: 3, epoch: 0, batchSize: 8);
        var next = EpochPlan.Create(50, seed: 3, epoch: 1, batchSize: 8);
        var other = EpochPlan.Create(50, seed: 4, epoch: 0, batchSize: 8);

        Assert.Equal(a.Order, b.Order);
        Assert.Equal(Enumerable.Range(0, 50), a.Order.Order());
        Assert.NotEqual(a.Order, next.Order);
        Assert.NotEqual(a.Order, other.Order);
        Assert.Equal(6, a.StepCount); // 50 / 8, tail of 2 dropped
        Assert.Equal(7, EpochPlan.Create(50, 3, 0, 8, dropLast: false).StepCount);
        Assert.Equal(1, EpochPlan.Create(5, 3, 0, 8).StepCount); // shorter than a batch: one short batch
        Assert.Equal(a.Order.Skip(8).Take(8), a.Batch(1).ToArray());
    }

    [Fact]
    public void Sub_batches_cover_the_batch_with_sizes_differing_by_at_most_one()
    {
        Assert.Equal([(0, 3), (3, 3), (6, 2)], EpochPlan.Split(8, 3));
        Assert.Equal([(0, 32)], EpochPlan.Split(32, 1));
        Assert.Throws<ArgumentException>(() => EpochPlan.Split(2, 3));
    }

    [Fact]
    public async Task Reads_the_window_around_each_centre_through_openslide()
    {
        var samples = cohort.Dataset.Training.Take(3).ToList();
        using var sampler = new PatchSampler(samples);

        var batch = sampler.ReadPlain([2, 0]);

        Assert.Equal([samples[2].Label, samples[0].Label], batch.Labels);
        using var slide = Slide.Open(samples[2].Image);
        var expected = slide.ReadRegion(samples[2].X - 112, samples[2].Y - 112, 0, 224, 224).Pixels;
        Assert.Equal(expected, batch.Rgb.AsSpan(0, 224 * 224 * 3).ToArray());

        var ordered = new List<int>();
        await foreach (var b in sampler.ReadInOrderAsync(2)) ordered.AddRange(b.Indices);
        Assert.Equal([0, 1, 2], ordered);
    }

    [Fact]
    public async Task An_epoch_reads_the_same_bytes_for_the_same_seed_and_epoch()
    {
        var samples = cohort.Dataset.Training.Take(12).ToList();
        var plan = EpochPlan.Create(samples.Count, 7, 1, 4);

        async Task<List<PatchBatch>> ReadAll(ulong seed, int threads)
        {
            using var sampler = new PatchSampler(samples, new PatchSamplerOptions { ReadThreads = threads, PrefetchBatches = 1 }, new PatchAugmenter(new AugmentationOptions()), seed);
            var list = new List<PatchBatch>();
            await foreach (var batch in sampler.ReadEpochAsync(plan)) list.Add(batch);
            return list;
        }

        var first = await ReadAll(7, threads: 2);
        var again = await ReadAll(7, threads: 1);
        var otherSeed = await ReadAll(8, threads: 2);

        Assert.Equal(3, first.Count);
        Assert.Equal(plan.Order, first.SelectMany(b => b.Indices));
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Indices, again[i].Indices);
            Assert.Equal(first[i].Rgb, again[i].Rgb); // augmentation does not depend on threads
        }
        Assert.NotEqual(first[0].Rgb, otherSeed[0].Rgb); // same patches, other augmentation
        Assert.Equal(first[0].Indices, otherSeed[0].Indices); // order comes from the plan
    }

    [Fact]
    public async Task Reads_ahead_while_the_consumer_holds_a_batch_and_no_further_than_the_bound()
    {
        var samples = cohort.Dataset.Training.Take(16).ToList();
        var plan = EpochPlan.Create(samples.Count, 1, 0, 2);
        using var sampler = new PatchSampler(samples, new PatchSamplerOptions { PrefetchBatches = 2 });

        var consumed = 0;
        await foreach (var _ in sampler.ReadEpochAsync(plan))
        {
            consumed++;
            // While this batch is held: 2 wait in the channel and the reader holds one more it cannot hand over.
            var bound = Math.Min(plan.StepCount, consumed + 2 + 1);
            await WaitUntil(() => sampler.BatchesRead >= bound);
            Assert.Equal(bound, sampler.BatchesRead);
        }
        Assert.Equal(plan.StepCount, consumed);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    [Fact]
    public async Task A_missing_slide_ends_the_epoch_with_the_slide_error()
    {
        var missing = Path.Combine(cohort.Directory, "slides", "missing.tif");
        List<TrainingSample> samples = [.. cohort.Dataset.Training.Take(3), new TrainingSample(missing, 500, 500, 1, "training[3]")];
        using var sampler = new PatchSampler(samples);
        var plan = EpochPlan.Create(samples.Count, 1, 0, 4);

        var error = await Assert.ThrowsAsync<SlideException>(async () =>
        {
            await foreach (var _ in sampler.ReadEpochAsync(plan)) { }
        });
        Assert.Equal(missing, error.Path);
    }
}
