using OrleansPathology.Grains;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// Two small synthetic slides in a data root, random model weights, and each slide's probability map computed in
/// this process by the engine alone (<see cref="SlideInference"/>, no cluster, no fault): the reference a cluster's
/// maps must equal. The grid is coarse and the regions tiny (<see cref="Stride"/>, <see cref="RegionCells"/>) so
/// that a few seconds of CPU make dozens of batches, enough for a silo to die in the middle of a cohort.
/// </summary>
public sealed class SyntheticCohortFixture : IAsyncLifetime
{
    /// <summary>Level-0 pixels per map cell.</summary>
    public const int Stride = 128;

    /// <summary>Dense region side in cells (Pathology:RegionCells on the silos): 2x2 cells per batch.</summary>
    public const int RegionCells = 2;

    /// <summary>Two 4000x3000 slides: about 30 to 40 batches each at this grid.</summary>
    private static readonly SynthesisOptions Synthesis = new()
    {
        OutputDirectory = "", Slides = 2, Width = 4000, Height = 3000, Seed = 20_251_127, PatchesPerSlide = 8,
    };

    public string Dir { get; } = TestData.NewTempDir("opath-faults");

    /// <summary>The folder the silos may read slides from (Pathology:DataRoots:0).</summary>
    public string DataRoot => Path.Combine(Dir, "data");

    public string WeightsPath => Path.Combine(DataRoot, "random.weights");

    /// <summary>Where the tests' cohorts write: inside the data root, as silos write nowhere else.</summary>
    public string OutputRoot => Path.Combine(DataRoot, "out");

    public IReadOnlyList<SlideSpec> Slides { get; private set; } = [];

    /// <summary>The engine's map of each slide, by slide id.</summary>
    public IReadOnlyDictionary<string, ProbabilityMap> Reference { get; private set; } = new Dictionary<string, ProbabilityMap>();

    /// <summary>Batches of the whole cohort, as the slide grains plan them.</summary>
    public int BatchCount { get; private set; }

    public async Task InitializeAsync()
    {
        var manifest = await Task.Run(() => CohortSynthesizer.Run(Synthesis with { OutputDirectory = DataRoot }));
        Slides = manifest.Slides.Select(s => new SlideSpec(s.Id, Path.Combine(DataRoot, s.Path))).ToList();
        using (var model = new FcnResNet18()) ModelWeights.Save(model, WeightsPath, new ModelCard());

        var options = new InferenceOptions { Stride = Stride, RegionCells = RegionCells };
        var reference = new Dictionary<string, ProbabilityMap>();
        using var computer = new BatchComputer(ModelWeights.Load(WeightsPath).Model, ComputeDevice.Parse("cpu"));
        foreach (var spec in Slides)
        {
            using var slide = Slide.Open(spec.Path);
            // The slide grain computes the same mask when the cohort names none (SlidePlanning).
            var tissue = TissueDetector.Detect(slide).Mask;
            BatchCount += SlideInference.Plan(slide, tissue, options).Count;
            reference[spec.SlideId] = await SlideInference.RunAsync(slide, tissue, computer, options);
        }
        Reference = reference;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Dir, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The cohort of both slides under <paramref name="cohortId"/>, outputs under <paramref name="outputRoot"/>.</summary>
    public CohortSpec Cohort(string cohortId, string outputRoot) => new(cohortId, Slides, WeightsPath, outputRoot, Stride);

    /// <summary>The silos' Pathology section: this grid, the data root, and the lease time the test needs.</summary>
    public Dictionary<string, string> Settings(TimeSpan leaseTimeout) => new()
    {
        ["Pathology__LeaseTimeout"] = leaseTimeout.ToString("c"),
        ["Pathology__Layouts__cpu__RegionCells"] = RegionCells.ToString(),
        ["Pathology__DataRoots__0"] = DataRoot,
    };

    /// <summary>
    /// Asserts that the map a cluster wrote for <paramref name="slide"/> has every tissue cell computed (the same cells
    /// as the engine's, nothing else) and the engine's values within 1e-6; returns how many cells are bitwise equal.
    /// </summary>
    public int AssertSameAsEngine(SlideProgress slide)
    {
        var spec = Slides.Single(s => s.SlideId == slide.SlideId);
        var expected = Reference[slide.SlideId];
        var actual = ProbabilityMap.Load(InferenceOutputPaths.For(slide.OutputDirectory!, spec.Path).Map);
        Assert.Equal((expected.Width, expected.Height, expected.Stride), (actual.Width, actual.Height, actual.Stride));
        Assert.Equal(expected.ComputedCount(), actual.ComputedCount());
        Assert.Equal(slide.CellsTotal, actual.ComputedCount());
        var bitwise = 0;
        var worst = 0.0;
        for (var i = 0; i < expected.Values.Length; i++)
        {
            var (e, a) = (expected.Values[i], actual.Values[i]);
            Assert.True(float.IsNaN(e) == float.IsNaN(a), $"{slide.SlideId}: cell {i % expected.Width},{i / expected.Width} is computed in one map only");
            if (float.IsNaN(e)) continue;
            if (BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a)) bitwise++;
            worst = Math.Max(worst, Math.Abs(e - a));
        }
        Assert.True(worst <= 1e-6, $"{slide.SlideId}: the cluster's map differs from the engine's by up to {worst:E2}");
        return bitwise;
    }
}
