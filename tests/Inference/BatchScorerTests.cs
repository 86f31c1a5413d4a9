using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Inference;

/// <summary>
/// A batch read and computed by the scorer the workers use gives what the in-process pipeline gives; each device keeps
/// one model; a simulated device returns its deterministic probabilities without reading.
/// </summary>
public sealed class BatchScorerTests : IDisposable
{
    private static readonly string SlidePath = TestData.Slide("CMU-1-Small-Region.svs");
    private readonly string _dir = TestData.NewTempDir("opath-engine");
    private readonly BatchScorer _engine = new(new BatchScorerOptions(), TimeProvider.System);

    public void Dispose() => _engine.Dispose();

    // Each CPU device runs its own Winograd thread pool; devices computing at once split the cores between them.
    [Theory]
    [InlineData(new[] { "cpu:0", "cpu:1" }, 2, 1)] // the demo's embedded silo on this machine
    [InlineData(new[] { "cpu:0" }, 4, 4)]
    [InlineData(new[] { "cuda:0", "cpu:0" }, 16, 16)]
    [InlineData(new[] { "cpu:0", "cpu:1", "cpu:2" }, 2, 1)]
    [InlineData(new[] { "sim:0", "sim:1" }, 2, 2)]
    public void CpuDevicesOfOneSilo_ShareTheCores(string[] devices, int processors, int expected) =>
        Assert.Equal(expected, BatchScorerOptions.ThreadsPerCpuDevice(devices, processors));

    [Fact]
    public async Task ADenseItem_GivesTheProbabilitiesOfTheInProcessPipeline()
    {
        var weights = SaveWeights("a", seed: 1);
        var item = DenseItem(weights);

        var result = await _engine.ScoreAsync(item, weights, "fp32", "cpu:0");

        using var slide = Slide.Open(SlidePath);
        using var computer = new BatchComputer(ModelWeights.Load(weights).Model, ComputeDevice.Parse("cpu"));
        var expected = computer.Compute(BatchReader.Read(slide, item)).Probabilities;
        Assert.Equal(expected, result.Probabilities);
        Assert.True(_engine.BusyOf("cpu:0") > TimeSpan.Zero);
        Assert.True(result.ReadSeconds > 0 && result.ComputeSeconds > 0);
        Assert.Equal(0, _engine.PooledBufferBytes); // no batch in flight: an idle process keeps no pixel buffers
    }

    [Fact]
    public async Task OnlyTheMostRecentModel_StaysLoaded_AndAPrecisionTheDeviceCannotRunKeepsIt()
    {
        var (a, b) = (SaveWeights("a", seed: 1), SaveWeights("b", seed: 2));
        Assert.Null(_engine.LoadedWeights("cpu:0"));

        await _engine.ScoreAsync(DenseItem(a), a, "fp32", "cpu:0");
        Assert.Equal(a, _engine.LoadedWeights("cpu:0"));
        await _engine.ScoreAsync(DenseItem(b), b, "fp32", "cpu:0");
        Assert.Equal(b, _engine.LoadedWeights("cpu:0"));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _engine.ScoreAsync(DenseItem(a), a, "fp16", "cpu:0"));
        Assert.Contains("fp16", error.Message);
        Assert.Equal(b, _engine.LoadedWeights("cpu:0"));
        Assert.Null(_engine.LoadedWeights("cpu:1"));
    }

    [Fact]
    public async Task ABrokenWeightsFile_FailsNamingIt_KeepsTheLoadedModel_AndFailsAgainAtOnce()
    {
        var (good, broken) = (SaveWeights("good", seed: 1), SaveWeights("broken", seed: 2));
        await using (var file = File.OpenWrite(broken)) file.SetLength(file.Length / 3);
        await _engine.ScoreAsync(DenseItem(good), good, "fp32", "cpu:0");

        var first = await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.ScoreAsync(DenseItem(broken), broken, "fp32", "cpu:0"));
        var again = await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.ScoreAsync(DenseItem(broken), broken, "fp32", "cpu:0"));

        Assert.StartsWith(broken + ": ", first.Message);
        Assert.Same(first, again); // remembered until the file changes, not rebuilt per batch
        Assert.Equal(good, _engine.LoadedWeights("cpu:0"));
        File.SetLastWriteTimeUtc(broken, DateTime.UtcNow.AddMinutes(1));
        Assert.NotSame(first, await Assert.ThrowsAsync<ModelWeightsException>(() => _engine.ScoreAsync(DenseItem(broken), broken, "fp32", "cpu:0")));
    }

    [Fact]
    public async Task AnItemOnAnUnreadableSlide_FailsNamingTheSlide()
    {
        var broken = TestData.Slide("broken.svs");

        var error = await Assert.ThrowsAsync<SlideException>(() => _engine.ScoreAsync(DenseItem("unused") with { SlidePath = broken }, "unused", "fp32", "cpu:0"));

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

    [Fact]
    public async Task ASimulatedDevice_ReturnsItsProbabilities_WithoutReadingTheSlide()
    {
        using var engine = new BatchScorer(new BatchScorerOptions { Simulation = new SimulatedDeviceOptions { BatchTime = TimeSpan.FromMilliseconds(30) } }, TimeProvider.System);
        // A slide that cannot be opened: a simulated device that does not read never notices.
        var item = DenseItem("unused") with { SlidePath = TestData.Slide("broken.svs") };

        var result = await engine.ScoreAsync(item, "unused", "fp32", "sim:3");

        var name = Path.GetFileName(item.SlidePath);
        Assert.Equal(item.Cells.Select(c => SimulatedDevice.Probability(name, c.X, c.Y)), result.Probabilities);
        // The device waited its batch time (timers may fire a tick early by the clock that measures them).
        Assert.True(result.ComputeSeconds >= 0.025, $"{result.ComputeSeconds} s");
        Assert.True(engine.BusyOf("sim:3") >= TimeSpan.FromMilliseconds(25), $"{engine.BusyOf("sim:3")}");
        Assert.Equal(0, engine.OpenSlides);
    }

    [Fact]
    public void SimulatedProbabilities_AreAFunctionOfSlideAndCell()
    {
        Assert.Equal(SimulatedDevice.Probability("a.tif", 40, 70), SimulatedDevice.Probability("a.tif", 40, 70));
        var values = Enumerable.Range(0, 64).SelectMany(x => Enumerable.Range(0, 64).Select(y => SimulatedDevice.Probability("a.tif", x, y))).ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.True(values.Distinct().Count() > 100);
        Assert.NotEqual(values, Enumerable.Range(0, 64).SelectMany(x => Enumerable.Range(0, 64).Select(y => SimulatedDevice.Probability("b.tif", x, y))));
    }

    // Three tissue cells of a 3x3-cell dense region at stride 64: a 352 px square read and one forward pass.
    private static TileBatch DenseItem(string weights) => new(SlidePath, 7, InferenceMode.Dense, 64, 224,
        [new Cell(4, 5), new Cell(5, 5), new Cell(6, 7)], new CellRect(4, 5, 3, 3));
}
