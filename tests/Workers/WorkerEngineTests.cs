using Microsoft.Extensions.Options;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Workers;

/// <summary>A work item read and computed by the engine gives what the in-process pipeline gives; the model cache keeps one model.</summary>
public sealed class WorkerEngineTests : IDisposable
{
    private static readonly string SlidePath = TestData.Slide("CMU-1-Small-Region.svs");
    private readonly string _dir = TestData.NewTempDir("opath-engine");
    private readonly WorkerEngine _engine = new(
        Options.Create(new WorkerOptions { Devices = ["cpu:0"] }), Options.Create(new PathologyGrainOptions()));

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task ADenseItem_GivesTheProbabilitiesOfTheInProcessPipeline()
    {
        var weights = SaveWeights("a", seed: 1);
        var item = DenseItem(weights);

        var result = await _engine.RunAsync(item, "node-a/cpu:0", "cpu:0");

        var batch = new TileBatch(SlidePath, item.BatchIndex, InferenceMode.Dense, item.Stride, item.PatchSize,
            [new Cell(4, 5), new Cell(5, 5), new Cell(6, 7)], new CellRect(4, 5, 3, 3));
        using var slide = Slide.Open(SlidePath);
        using var computer = new BatchComputer(ModelWeights.Load(weights).Model, ComputeDevice.Parse("cpu"));
        var expected = computer.Compute(BatchReader.Read(slide, batch)).Probabilities;
        Assert.Equal(("slide-key", 7, "node-a/cpu:0"), (result.SlideKey, result.BatchIndex, result.Worker));
        Assert.Equal(expected, result.Probabilities);
        Assert.True(result.ReadSeconds > 0 && result.ComputeSeconds > 0);
    }

    [Fact]
    public async Task OnlyTheMostRecentModel_StaysLoaded_AndAPrecisionTheDeviceCannotRunKeepsIt()
    {
        var (a, b) = (SaveWeights("a", seed: 1), SaveWeights("b", seed: 2));
        Assert.Null(_engine.LoadedWeights("cpu:0"));

        await _engine.RunAsync(DenseItem(a), "w", "cpu:0");
        Assert.Equal(a, _engine.LoadedWeights("cpu:0"));
        await _engine.RunAsync(DenseItem(b), "w", "cpu:0");
        Assert.Equal(b, _engine.LoadedWeights("cpu:0"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _engine.RunAsync(DenseItem(a) with { Precision = "fp16" }, "w", "cpu:0"));
        Assert.Contains("fp16", error.Message);
        Assert.Equal(b, _engine.LoadedWeights("cpu:0"));
        Assert.Null(_engine.LoadedWeights("cpu:1"));
    }

    [Fact]
    public async Task ABrokenWeightsFile_FailsNamingIt_KeepsTheLoadedModel_AndFailsAgainAtOnce()
    {
        var (good, broken) = (SaveWeights("good", seed: 1), SaveWeights("broken", seed: 2));
        await using (var file = File.OpenWrite(broken)) file.SetLength(file.Length / 3);
        await _engine.RunAsync(DenseItem(good), "w", "cpu:0");

        var first = await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.RunAsync(DenseItem(broken), "w", "cpu:0"));
        var again = await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.RunAsync(DenseItem(broken), "w", "cpu:0"));

        Assert.StartsWith(broken + ": ", first.Message);
        Assert.Same(first, again); // remembered until the file changes, not rebuilt per batch
        Assert.Equal(good, _engine.LoadedWeights("cpu:0"));
        File.SetLastWriteTimeUtc(broken, DateTime.UtcNow.AddMinutes(1));
        Assert.NotSame(first, await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.RunAsync(DenseItem(broken), "w", "cpu:0")));
    }

    [Fact]
    public async Task AnItemOnAnUnreadableSlide_FailsNamingTheSlide()
    {
        var broken = TestData.Slide("broken.svs");

        var error = await Assert.ThrowsAsync<SlideException>(() => _engine.RunAsync(DenseItem("unused") with { SlidePath = broken }, "w", "cpu:0"));

        Assert.StartsWith(broken + ": ", error.Message);
    }

    private string SaveWeights(string name, int seed)
    {
        TorchSharp.torch.random.manual_seed(seed);
        var path = Path.Combine(_dir, name + ".weights");
        using var model = new FcnResNet18();
        ModelWeights.Save(model, path, new ModelCard());
        return path;
    }

    // Three tissue cells of a 3x3-cell dense region at stride 64: a 352 px square read and one forward pass.
    private static WorkItem DenseItem(string weights) => new(
        "slide-key", SlidePath, weights, "fp32", BatchIndex: 7, ScoringMode.Dense, Stride: 64, PatchSize: 224,
        CellX: [4, 5, 6], CellY: [5, 5, 7], RegionX: 4, RegionY: 5, RegionWidth: 3, RegionHeight: 3);
}
