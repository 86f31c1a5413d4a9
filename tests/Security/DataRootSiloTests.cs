using System.Text.Json;
using OrleansPathology.Grains;

namespace OrleansPathology.Tests.Security;

/// <summary>
/// On silos restricted to one data root (<see cref="RootedClusterFixture"/>): every kind of path a cohort or a training
/// run names is checked against the root before anything is read or written, and a refusal names the path as given,
/// never where a symbolic link leads.
/// </summary>
[Collection(RootedClusterCollection.Name)]
public sealed class DataRootSiloTests(RootedClusterFixture silos)
{
    private string Refusal(string kind, string path) => $"{kind} {path}: is outside the configured data roots ({silos.Root})";

    private Task<CohortStatus> SubmitAsync(CohortSpec spec) => silos.Grains.GetGrain<ICohortGrain>(spec.CohortId).SubmitAsync(spec);

    [Fact]
    public async Task A_mask_outside_the_roots_such_as_etc_passwd_is_never_opened_and_fails_its_slide_naming_the_mask()
    {
        var spec = new CohortSpec("mask-passwd", [new SlideSpec("cmu", silos.SlidePath, "/etc/passwd")], silos.WeightsPath, silos.OutputRoot, Stride: 128);

        var status = await silos.RunAsync(spec);

        var slide = Assert.Single(status.Slides);
        Assert.Equal((RunState.Failed, 0L), (slide.State, slide.CellsDone));
        Assert.Equal(Refusal("mask", "/etc/passwd"), slide.Error);
    }

    [Fact]
    public async Task A_mask_through_a_symbolic_link_out_of_the_roots_is_refused_without_revealing_its_target()
    {
        var link = Path.Combine(silos.Root, "mask-link.mask");
        File.CreateSymbolicLink(link, Path.Combine(silos.Outside, "secret.txt"));
        var spec = new CohortSpec("mask-link", [new SlideSpec("cmu", silos.SlidePath, link)], silos.WeightsPath, silos.OutputRoot, Stride: 128);

        var slide = Assert.Single((await silos.RunAsync(spec)).Slides);

        Assert.Equal(RunState.Failed, slide.State);
        Assert.Equal(Refusal("mask", link), slide.Error);
        Assert.DoesNotContain(silos.Outside, slide.Error);
    }

    [Fact]
    public async Task An_output_root_outside_the_roots_is_refused_at_submit_and_nothing_is_written_there()
    {
        var output = Path.Combine(silos.Outside, "out");
        var spec = new CohortSpec("out-outside", [new SlideSpec("cmu", silos.SlidePath)], silos.WeightsPath, output, Stride: 128);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(spec));

        Assert.Equal(Refusal("output", output), error.Message);
        Assert.False(Directory.Exists(output));
        Assert.Null(await silos.Grains.GetGrain<ICohortGrain>(spec.CohortId).GetStatusAsync());
    }

    [Fact]
    public async Task An_output_root_through_a_symbolic_link_out_of_the_roots_is_refused_without_revealing_its_target()
    {
        var link = Path.Combine(silos.Root, "out-link");
        Directory.CreateSymbolicLink(link, silos.Outside);
        var spec = new CohortSpec("out-link", [new SlideSpec("cmu", silos.SlidePath)], silos.WeightsPath, link, Stride: 128);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(spec));

        Assert.Equal(Refusal("output", link), error.Message);
        // Nothing was written through the link: no pinned weights, no cohort folder.
        Assert.False(Directory.Exists(Path.Combine(silos.Outside, OrleansPathology.Model.PinnedWeights.StoreFolder)));
        Assert.False(Directory.Exists(Path.Combine(silos.Outside, spec.CohortId)));
    }

    [Fact]
    public async Task Weights_outside_the_roots_or_linked_out_of_them_are_refused_at_submit()
    {
        var outside = Path.Combine(silos.Outside, "model.weights");
        File.Copy(silos.WeightsPath, outside);
        File.Copy(silos.WeightsPath + ".json", outside + ".json");
        var link = Path.Combine(silos.Root, "linked.weights");
        File.CreateSymbolicLink(link, outside);

        var direct = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(
            new CohortSpec("weights-outside", [new SlideSpec("cmu", silos.SlidePath)], outside, silos.OutputRoot, Stride: 128)));
        var linked = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(
            new CohortSpec("weights-link", [new SlideSpec("cmu", silos.SlidePath)], link, silos.OutputRoot, Stride: 128)));

        Assert.Equal(Refusal("weights", outside), direct.Message);
        Assert.Equal(Refusal("weights", link), linked.Message);
    }

    [Fact]
    public async Task Weights_that_are_missing_or_not_a_model_are_refused_at_submit_naming_the_file()
    {
        var missing = Path.Combine(silos.Root, "missing.weights");
        var garbage = Path.Combine(silos.Root, "garbage.weights");
        File.WriteAllBytes(garbage, new byte[4096]);
        File.Copy(silos.WeightsPath + ".json", garbage + ".json");

        var notFound = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(
            new CohortSpec("weights-missing", [new SlideSpec("cmu", silos.SlidePath)], missing, silos.OutputRoot, Stride: 128)));
        var notModel = await Assert.ThrowsAsync<ArgumentException>(() => SubmitAsync(
            new CohortSpec("weights-garbage", [new SlideSpec("cmu", silos.SlidePath)], garbage, silos.OutputRoot, Stride: 128)));

        Assert.Equal($"{missing}: weights file not found", notFound.Message);
        Assert.StartsWith($"{garbage}: not a readable resnet18-fcn weights file", notModel.Message);
        Assert.Null(await silos.Grains.GetGrain<ICohortGrain>("weights-garbage").GetStatusAsync());
    }

    [Fact]
    public async Task A_training_run_is_refused_for_a_dataset_a_dataset_slide_a_run_directory_or_output_weights_outside_the_roots()
    {
        var slideLink = Path.Combine(silos.Root, "train-link.svs");
        File.CreateSymbolicLink(slideLink, Path.Combine(silos.Outside, "cmu.svs"));
        var inside = WriteDataset(Path.Combine(silos.Root, "inside.json"), silos.SlidePath);
        var linkedSlide = WriteDataset(Path.Combine(silos.Root, "linked.json"), slideLink);
        var outsideDataset = WriteDataset(Path.Combine(silos.Outside, "dataset.json"), silos.SlidePath);
        var runs = Path.Combine(silos.Root, "runs");
        var weights = Path.Combine(silos.Root, "trained.weights");

        async Task<string> Refused(string id, string dataset, string runDirectory, string output)
        {
            var spec = new TrainingRunSpec(id, dataset, runDirectory, output, Workers: 1, Epochs: 1, BatchSize: 2, Seed: 1);
            var error = await Assert.ThrowsAsync<ArgumentException>(() => silos.Grains.GetGrain<ITrainingCoordinatorGrain>(id).StartAsync(spec));
            Assert.Null(await silos.Grains.GetGrain<ITrainingCoordinatorGrain>(id).GetStatusAsync());
            return error.Message;
        }

        Assert.Equal(Refusal("dataset", outsideDataset), await Refused("t-dataset", outsideDataset, runs, weights));
        Assert.Equal(Refusal("slide", slideLink), await Refused("t-slide", linkedSlide, runs, weights));
        Assert.Equal(Refusal("checkpoint", silos.Outside), await Refused("t-runs", inside, silos.Outside, weights));
        var outsideWeights = Path.Combine(silos.Outside, "trained.weights");
        Assert.Equal(Refusal("weights", outsideWeights), await Refused("t-weights", inside, runs, outsideWeights));
    }

    private static string WriteDataset(string path, string slide)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            training = new[] { new { image = slide, location = new[] { 600, 600 }, label = 1 }, new { image = slide, location = new[] { 1200, 1200 }, label = 0 } },
            validation = new[] { new { image = slide, location = new[] { 900, 900 }, label = 0 } },
        }));
        return path;
    }
}
