using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;
using OrleansPathology.Synthesis;
using OrleansPathology.Tests.Annotations;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>The truth layouts <see cref="TruthSet.Load"/> reads, each giving the hand-made cohort's score.</summary>
public sealed class TruthSetTests
{
    [Fact]
    public void MaskFolder_AsSynthWritesIt_SkipsTissueMasks()
    {
        var dir = TestData.NewTempDir("opath-truth-masks");
        HandMadeCohort.SlideA().Save(Path.Combine(dir, "A.truth.mask"));
        HandMadeCohort.SlideC().Save(Path.Combine(dir, "C.mask"));
        File.WriteAllText(Path.Combine(dir, "A.tissue.mask"), "not a truth mask");
        File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");

        var truth = TruthSet.Load(dir);

        Assert.Equal(["A", "C"], truth.Slides.Select(s => s.SlideId).Order());
        Assert.Equal(0.243, truth.Find("a")!.MicronsPerPixel);
        Assert.Equal(11.0 / 18, FrocEvaluator.Evaluate(HandMadeCohort.Predictions(), truth).Score!.Value, 12);
    }

    [Fact]
    public void AnnotationFolder_WithSidecars_RasterisesAtLevelFive()
    {
        // Slide A's mask as outlines: mask pixel i is inside when its centre (i + 0.5) * 32 is, so [20, 80) is 640..2560.
        var dir = TestData.NewTempDir("opath-truth-xml");
        AsapXml.Write(Path.Combine(dir, "A.xml"), Polygons.Tumour(
            Polygons.Rectangle("r1", 640, 640, 2560, 2560),
            Polygons.Rectangle("r2", 3840, 640, 5120, 1920),
            Polygons.Rectangle("r3", 640, 3840, 1920, 5120),
            Polygons.Rectangle("itc", 4800, 4800, 4896, 4896)));
        File.WriteAllText(Path.Combine(dir, "A.slide.json"), """{"width": 6400, "height": 6400, "micronsPerPixel": 0.243}""");
        HandMadeCohort.SlideC().Save(Path.Combine(dir, "C.truth.mask"));

        var truth = TruthSet.Load(dir);
        var mask = truth.Find("A")!.LoadMask();

        Assert.Equal((200, 200, 5, 32.0), (mask.Width, mask.Height, mask.Level, mask.Downsample));
        Assert.Equal(HandMadeCohort.SlideA().Data, mask.Data);
        Assert.Equal(11.0 / 18, FrocEvaluator.Evaluate(HandMadeCohort.Predictions(), truth).Score!.Value, 12);
    }

    [Fact]
    public void AnnotationFolder_WithTheSlide_TakesItsSizeAndResolution()
    {
        // CMU-1-Small-Region.svs: 2220 x 2967 at 0.499 um/px, so its level-5 mask is 70 x 93 and the micrometres convert at 0.499.
        var dir = TestData.NewTempDir("opath-truth-slide");
        AsapXml.Write(Path.Combine(dir, "CMU-1-Small-Region.xml"), Polygons.Tumour(Polygons.Rectangle("t", 400, 400, 1200, 1000)));

        var truth = TruthSet.Load(dir, new TruthOptions { SlidesDirectory = Path.Combine(TestData.Dir, "slides"), Resolution = TruthResolution.Slide });
        var slide = truth.Find("CMU-1-Small-Region")!;
        var mask = slide.LoadMask();

        Assert.Equal((70, 93), (mask.Width, mask.Height));
        Assert.Equal(0.499, slide.MicronsPerPixel, 3);
    }

    [Fact]
    public void AnnotationWithoutSize_IsAnErrorNamingTheFileAndTheRemedy()
    {
        var dir = TestData.NewTempDir("opath-truth-nosize");
        var xml = Path.Combine(dir, "test_040.xml");
        File.Copy(TestData.Annotation("camelyon16-xml/test_040.xml"), xml);

        var ex = Assert.Throws<EvaluationException>(() => TruthSet.Load(dir));

        Assert.Contains(xml, ex.Message);
        Assert.Contains("level-0 size is unknown", ex.Message);
        Assert.Contains("test_040.slide.json", ex.Message);
    }

    [Fact]
    public void BadSidecar_IsAnErrorNamingIt()
    {
        var dir = TestData.NewTempDir("opath-truth-badsidecar");
        HandMadeCohort.SlideC().Save(Path.Combine(dir, "C.mask"));
        File.WriteAllText(Path.Combine(dir, "C.slide.json"), """{"width": "wide"}""");

        var ex = Assert.Throws<EvaluationException>(() => TruthSet.Load(dir));
        Assert.Contains("C.slide.json", ex.Message);
        Assert.Contains("\"width\"", ex.Message);
    }

    [Fact]
    public void CohortFile_GivesEverySlidesMaskAndResolution()
    {
        var dir = TestData.NewTempDir("opath-truth-cohort");
        Directory.CreateDirectory(Path.Combine(dir, "masks"));
        HandMadeCohort.SlideA().Save(Path.Combine(dir, "masks", "A.truth.mask"));
        HandMadeCohort.SlideC().Save(Path.Combine(dir, "masks", "C.truth.mask"));
        var manifest = new CohortManifest("hand", 1,
        [
            new CohortSlide("A", "slides/A.tif", CohortSplits.Test, true, "annotations/A.xml", "masks/A.truth.mask", "masks/A.tissue.mask", "thumbnails/A.png", 6400, 6400, 0.243, 0.243, 3),
            new CohortSlide("C", "slides/C.tif", CohortSplits.Test, false, null, "masks/C.truth.mask", "masks/C.tissue.mask", "thumbnails/C.png", 6400, 6400, 0.25, 0.25, 0),
        ]);
        // Written as opath synth writes it: camelCase.
        File.WriteAllText(Path.Combine(dir, CohortManifest.FileName), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));

        var truth = TruthSet.Load(dir, new TruthOptions { Resolution = TruthResolution.Slide });

        Assert.Equal(0.25, truth.Find("C")!.MicronsPerPixel);
        Assert.Equal(0.243, TruthSet.Load(dir).Find("C")!.MicronsPerPixel); // official by default
        Assert.Equal(Path.Combine(dir, "masks", "A.truth.mask"), truth.Find("A")!.Source);
        Assert.Equal(11.0 / 18, FrocEvaluator.Evaluate(HandMadeCohort.Predictions(), truth).Score!.Value, 12);
        Assert.Equal(["A", "C"], TruthSet.Load(Path.Combine(dir, CohortManifest.FileName)).Slides.Select(s => s.SlideId).Order());
    }

    [Fact]
    public void EmptyFolder_IsAnError()
    {
        var dir = TestData.NewTempDir("opath-truth-empty");
        var ex = Assert.Throws<EvaluationException>(() => TruthSet.Load(dir));
        Assert.Contains("holds no ground truth", ex.Message);
        Assert.Throws<EvaluationException>(() => TruthSet.Load(Path.Combine(dir, "missing")));
    }
}
