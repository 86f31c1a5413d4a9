using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>
/// The real CAMELYON16 annotation test_040.xml, rasterised at level 5 through a truth folder with a sidecar (the slide
/// itself is not in shared/data). Its level-0 size is not on record here, so the slide is taken as 80000 x 110000, which
/// holds every vertex (x 23424..75056, y 64300..106328); the evaluation mask does not depend on the size beyond that.
/// </summary>
public sealed class Test040Fixture : IDisposable
{
    public Test040Fixture()
    {
        Directory = TestData.NewTempDir("opath-eval-040");
        File.Copy(TestData.Annotation("camelyon16-xml/test_040.xml"), Path.Combine(Directory, "test_040.xml"));
        File.WriteAllText(Path.Combine(Directory, "test_040" + TruthSet.SidecarSuffix), """{"width": 80000, "height": 110000}""");
        Truth = TruthSet.Load(Directory);
        TruthMask = Truth.Find("test_040")!.LoadMask();
        Mask = EvaluationMask.Create(TruthMask, CamelyonProtocol.ReferenceMicronsPerPixel);
    }

    public string Directory { get; }
    public TruthSet Truth { get; }
    public SlideMask TruthMask { get; }
    public EvaluationMask Mask { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public sealed class Test040Tests(Test040Fixture fixture) : IClassFixture<Test040Fixture>
{
    [Fact]
    public void EvaluationMask_MatchesScipyAndSkimage()
    {
        // Reference numbers from the challenge script's own steps on this very mask (saved by `opath annotations
        // 80000x110000 test_040.xml --level 5`), run with Debian bookworm's python3-scipy 1.10.1 and python3-skimage 0.19.3:
        //   d = ndimage.distance_transform_edt(255 - (mask != 0) * 255); filled = ndimage.binary_fill_holes(d < 75 / (0.243 * 32 * 2))
        //   ev = measure.label(filled, connectivity=2); props = measure.regionprops(ev)
        //   ITC: major_axis_length < 275 / (0.243 * 32)
        var mask = fixture.Mask;
        Assert.Equal((2500, 3438, 32.0), (mask.Width, mask.Height, mask.Downsample));
        Assert.Equal(9, mask.Regions.Count);
        Assert.Equal([5], mask.Regions.Where(r => r.IsolatedTumourCells).Select(r => r.Label));
        Assert.Equal([246131L, 4910, 1268, 10846, 634, 78246, 4458, 75476, 3475], mask.Regions.Select(r => r.AreaPixels));
        double[] major = [727.298782, 92.08214, 47.099446, 307.38457, 32.127171, 395.404144, 125.002867, 336.883116, 136.317037];
        for (var i = 0; i < major.Length; i++) Assert.Equal(major[i], mask.Regions[i].MajorAxisPixels, 5);
        // skimage's first coordinate of each region (raster order), as level-0 centres of those mask pixels.
        (int X, int Y)[] first = [(1747, 2006), (2317, 2320), (2230, 2538), (2089, 2555), (2070, 2628), (1418, 2861), (918, 2890), (986, 2954), (733, 3220)];
        Assert.Equal(first.Select(p => (p.X * 32 + 16.0, p.Y * 32 + 16.0)), mask.Regions.Select(r => (r.InsideX, r.InsideY)));
    }

    [Fact]
    public void EvaluationMask_KeepsEveryTumourPixel()
    {
        var truth = fixture.TruthMask;
        Assert.Equal(360993, truth.CountForeground()); // as `opath annotations` reports for this size and level
        for (var y = 0; y < truth.Height; y++)
        {
            for (var x = 0; x < truth.Width; x++)
            {
                if (truth[x, y] != 0 && fixture.Mask[x, y] == 0) Assert.Fail($"tumour pixel ({x}, {y}) lies in no region");
            }
        }
    }

    [Fact]
    public void CoarserResolution_ConvertsTheMicronConstants()
    {
        // Same script at 0.486 um/px (thresholds 2.41 px and 17.68 px): 13 regions, none ITC.
        var coarse = EvaluationMask.Create(fixture.TruthMask, 0.486);
        Assert.Equal(13, coarse.Regions.Count);
        Assert.DoesNotContain(coarse.Regions, r => r.IsolatedTumourCells);
        Assert.Equal([2173L, 229802, 4365, 3406, 297, 991, 8997, 453, 74270, 3765, 71967, 1613, 1146], coarse.Regions.Select(r => r.AreaPixels));
    }

    [Fact]
    public void PredictionsOnItsLesions_ScoreFiveSixths()
    {
        // A detection inside each counted region, at 0.5 + 0.04 * label (0.54 .. 0.86); one at 0.99 in the ITC region
        // (ignored); a false positive at 0.95 far from tumour; a normal slide with one false positive at 0.3. Two slides.
        // Thresholds (the ITC region's 0 is the lowest, dropped): .3 -> FP 2, TP 8; .54 -> FP 1, TP 8; ... .86 -> FP 1, TP 1;
        // .95 -> FP 1, TP 0; close (0, 0). Reversed rates [0, .5, .5 ... .5, 1]: at 1/4 between (0, 0) and (.5, 0) -> 0;
        // at 1/2 the last point of rate .5 (threshold .54) -> 1; from 1 on -> 1. Score 5/6.
        var lesions = new List<Lesion>();
        foreach (var region in fixture.Mask.Regions)
        {
            var probability = region.IsolatedTumourCells ? 0.99f : 0.5f + 0.04f * region.Label;
            lesions.Add(new Lesion(probability, region.InsideX, region.InsideY));
        }
        lesions.Add(new Lesion(0.95f, 1000, 1000));
        var predictions = new[]
        {
            new SlidePredictions("test_040", lesions, "test_040.csv"),
            new SlidePredictions("normal_001", [new Lesion(0.3f, 50000, 50000)], "normal_001.csv"),
        };

        var result = FrocEvaluator.Evaluate(predictions, fixture.Truth);

        Assert.Equal(5.0 / 6, result.Score!.Value, 12);
        Assert.Equal((8, 8, 1), (result.CountedRegions, result.HitRegions, result.IsolatedTumourCellRegions));
        Assert.Equal(2, result.FalsePositives);
        Assert.Equal(DetectionKind.IsolatedTumourCells, result.Slides[0].Detections[4].Kind);
        Assert.Equal(1.0, result.SlideAuc); // 0.99 on the tumour slide against 0.3
    }
}
