using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Inference;

/// <summary>
/// A computed tissue mask is kept for a restart, but only for the same slide file, stride and rule: a slide id that
/// now names another file of the same size (a cohort re-run with another slide) is planned from its own tissue.
/// </summary>
public sealed class MaskCacheTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-mask-cache");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASlideIdNamingAnotherFile_IsPlannedFromThatFilesTissue_NotTheCachedMask()
    {
        var manifest = CohortSynthesizer.Run(new SynthesisOptions
        {
            OutputDirectory = Path.Combine(_dir, "data"), Slides = 2, Width = 3000, Height = 3000, Seed = 7, PatchesPerSlide = 0,
        });
        var (first, second) = (Path.Combine(_dir, "data", manifest.Slides[0].Path), Path.Combine(_dir, "data", manifest.Slides[1].Path));
        var options = new InferenceOptions { Stride = 128, RegionCells = 4 };
        var shared = Path.Combine(_dir, "out");

        var before = SlidePlanning.Prepare(new SlideJob(first, null, options, shared, "s"), new DataRoots([]));
        var reused = SlidePlanning.Prepare(new SlideJob(second, null, options, shared, "s"), new DataRoots([]));
        var fresh = SlidePlanning.Prepare(new SlideJob(second, null, options, Path.Combine(_dir, "fresh"), "s"), new DataRoots([]));

        Assert.NotEqual(before.CellCount, fresh.CellCount); // the two slides' tissue differs
        Assert.Equal(fresh.CellCount, reused.CellCount);
        Assert.Equal(fresh.Batches.SelectMany(b => b.Cells), reused.Batches.SelectMany(b => b.Cells));
        // Another rule is another mask too.
        var otsu = new SlideJob(second, null, options, shared, "s", TissueMethod.Otsu);
        Assert.NotEqual(SlidePlanning.ComputedMaskPath(otsu, second), SlidePlanning.ComputedMaskPath(otsu with { Tissue = TissueMethod.Robust }, second));
    }
}
