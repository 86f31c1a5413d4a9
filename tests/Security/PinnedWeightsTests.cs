using OrleansPathology.Grains;
using OrleansPathology.Inference;
using OrleansPathology.Model;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// Weights are pinned per cohort by content (<see cref="PinnedWeights"/>), on two silos whose workers keep their model
/// loaded between cohorts: a weights file overwritten in place between two cohorts gives the second its own maps, and
/// one overwritten while a cohort runs changes none of that cohort's batches.
/// </summary>
[Collection(RootedClusterCollection.Name)]
public sealed class PinnedWeightsTests(RootedClusterFixture silos)
{
    [Fact]
    public async Task Weights_overwritten_in_place_between_and_during_cohorts_give_each_cohort_one_model()
    {
        var weights = Path.Combine(silos.Root, "in-place.weights");
        var (first, second) = (Path.Combine(silos.Root, "first.weights"), Path.Combine(silos.Root, "second.weights"));
        using (var model = new FcnResNet18()) ModelWeights.Save(model, first, new ModelCard());
        using (var model = new FcnResNet18()) ModelWeights.Save(model, second, new ModelCard());
        await OverwriteInPlace(first, weights);

        // Cohort a: the first model, loaded and kept by the workers.
        var a = await RunAsync("pin-a", weights);
        // Between cohorts: the file now holds the second model. Cohort b must not be served the cached first one, and
        // while b runs the file goes back to the first model: none of b's batches may see it.
        await OverwriteInPlace(second, weights);
        var b = await RunAsync("pin-b", weights, afterSubmit: () => OverwriteInPlace(first, weights));
        // The second model's reference, from its own file under a path no worker has seen.
        var reference = await RunAsync("pin-ref", second);

        AssertSameMap(reference, b);
        Assert.True(MaxDifference(a, b) > 1e-3, $"cohort b's map equals cohort a's (max difference {MaxDifference(a, b):E2}): b was scored with a's model");
        // One pinned copy per content: a's model, and the second model shared by b and the reference.
        Assert.Equal(
            new[] { Digest(first), Digest(second) }.Order(),
            Directory.GetFiles(Path.Combine(silos.OutputRoot, PinnedWeights.StoreFolder), "*.weights").Select(Path.GetFileNameWithoutExtension).Order());
    }

    [Theory]
    [InlineData("same length, other bytes")]
    [InlineData("truncated")]
    public async Task A_pinned_copy_that_changed_after_submit_fails_the_slide_naming_the_file_and_both_digests(string change)
    {
        // Weights that check out at submit (they are pinned then), whose pinned copy changes before any worker loads it
        // (the workers are drained meanwhile): the error appears only when a worker loads it, and it fails the slide.
        var weights = Path.Combine(silos.Root, $"tampered-{change.Length}.weights");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());
        var output = Path.Combine(silos.Root, $"out-tampered-{change.Length}");
        var pinned = PinnedWeights.PathFor(output, Digest(weights));

        var status = await silos.RunAsync(new CohortSpec($"pin-tampered-{change.Length}", [new SlideSpec("cmu", silos.SlidePath)], weights, output, Stride: 128),
            afterSubmit: () =>
            {
                var bytes = File.ReadAllBytes(pinned);
                if (change == "truncated") bytes = bytes[..(bytes.Length / 3)];
                else bytes[^1] ^= 0xFF;
                File.WriteAllBytes(pinned, bytes);
                return Task.CompletedTask;
            });

        var slide = Assert.Single(status.Slides);
        Assert.Equal(RunState.Failed, slide.State);
        Assert.Contains("ModelWeightsException", slide.Error);
        Assert.Contains($"{pinned}: content changed since the cohort was submitted", slide.Error);
        Assert.Contains($"pinned {Digest(weights)[..16]}", slide.Error);
    }

    private async Task<ProbabilityMap> RunAsync(string id, string weights, Func<Task>? afterSubmit = null)
    {
        var status = await silos.RunAsync(new CohortSpec(id, [new SlideSpec("cmu", silos.SlidePath)], weights, silos.OutputRoot, Stride: 128), afterSubmit);
        var slide = Assert.Single(status.Slides);
        Assert.True(slide.State == RunState.Completed, $"{id}: {slide}");
        return ProbabilityMap.Load(InferenceOutputPaths.For(slide.OutputDirectory!, silos.SlidePath).Map);
    }

    private static Task OverwriteInPlace(string from, string to)
    {
        // Same path, same inode: what `cp new.weights model.weights` does.
        using (var target = new FileStream(to, FileMode.Create, FileAccess.Write)) target.Write(File.ReadAllBytes(from));
        File.Copy(ModelWeights.CardPath(from), ModelWeights.CardPath(to), overwrite: true);
        return Task.CompletedTask;
    }

    private static string Digest(string path) => PinnedWeights.Digest(File.ReadAllBytes(path));

    private static double MaxDifference(ProbabilityMap x, ProbabilityMap y)
    {
        var worst = 0.0;
        for (var i = 0; i < x.Values.Length; i++)
            if (!float.IsNaN(x.Values[i]) && !float.IsNaN(y.Values[i])) worst = Math.Max(worst, Math.Abs(x.Values[i] - y.Values[i]));
        return worst;
    }

    private static void AssertSameMap(ProbabilityMap expected, ProbabilityMap actual)
    {
        Assert.Equal((expected.Width, expected.Height, expected.ComputedCount()), (actual.Width, actual.Height, actual.ComputedCount()));
        var worst = MaxDifference(expected, actual);
        Assert.True(worst <= 1e-6, $"the map differs from the second model's by up to {worst:E2}: some batches used another model");
    }
}
