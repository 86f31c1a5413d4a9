using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>FROC values worked out by hand, following the CAMELYON16 script step by step.</summary>
public sealed class FrocHandWorkedTests
{
    [Fact]
    public void ThreeSlides_ScoreElevenEighteenths()
    {
        // Slide A: TP_probs per label [0.9, 0.7, 0 (missed), 0 (ITC)]; FP 0.5 and 0.3 (off the slide).
        // Slide B (no truth): FP 0.8, 0.5, 0.4. Slide C (empty truth): FP 0.6. 3 counted regions, 3 slides.
        // Thresholds: distinct {0, .3, .4, .5, .6, .7, .8, .9} without the lowest (0).
        //   t   .3  .4  .5  .6  .7  .8  .9  (close)
        //   TP   2   2   2   2   2   1   1   0
        //   FP   6   5   4   2   1   1   0   0
        // Reversed, rates [0, 0, 1/3, 1/3, 2/3, 4/3, 5/3, 2], sensitivities [0, 1/3, 1/3, 2/3, 2/3, 2/3, 2/3, 2/3]:
        // at 1/4 -> 1/3 (between (0, 1/3) and (1/3, 1/3)); at 1/2, 1, 2, 4, 8 -> 2/3. Mean: (1/3 + 5 * 2/3) / 6 = 11/18.
        var result = FrocEvaluator.Evaluate(HandMadeCohort.Predictions(), HandMadeCohort.Truth());

        Assert.Equal(11.0 / 18, result.Score!.Value, 12);
        AssertClose([1.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3], result.OperatingPoints.Select(p => p.Sensitivity));
        Assert.Equal([0.25, 0.5, 1, 2, 4, 8], result.OperatingPoints.Select(p => p.FalsePositivesPerSlide));
        Assert.Equal(
            [((double?)0.3f, 2, 6), (0.4f, 2, 5), (0.5f, 2, 4), (0.6f, 2, 2), (0.7f, 2, 1), (0.8f, 1, 1), (0.9f, 1, 0), (null, 0, 0)],
            result.Curve.Points.Select(p => (p.Threshold, p.TruePositives, p.FalsePositives)));
        Assert.Equal(3, result.Curve.CountedRegions);
        Assert.Equal(3, result.Curve.Slides);
    }

    [Fact]
    public void ThreeSlides_EachDetectionGetsItsVerdict()
    {
        var result = FrocEvaluator.Evaluate(HandMadeCohort.Predictions(), HandMadeCohort.Truth());

        var a = result.Slides[0];
        Assert.Equal(
            [DetectionKind.TruePositive, DetectionKind.RepeatHit, DetectionKind.TruePositive, DetectionKind.RepeatHit,
             DetectionKind.IsolatedTumourCells, DetectionKind.FalsePositive, DetectionKind.OffSlide],
            a.Detections.Select(d => d.Kind));
        Assert.Equal([1, 1, 2, 2, 4, 0, -1], a.Detections.Select(d => d.Label));
        Assert.Equal([false, false, false, true], a.Regions.Select(r => r.IsolatedTumourCells));
        // Region 2 keeps the first of its two 0.7 detections; region 3 is missed; the ITC region has no hit.
        Assert.Equal(HandMadeCohort.At(140, 40), (a.Regions[1].Hit!.X, a.Regions[1].Hit!.Y));
        Assert.Null(a.Regions[2].Hit);
        Assert.Null(a.Regions[3].Hit);
        Assert.Equal((3, 2, 2), (a.CountedRegions, a.HitRegions, a.FalsePositives));

        Assert.All(result.Slides[1].Detections, d => Assert.Equal(DetectionKind.FalsePositive, d.Kind));
        Assert.Null(result.Slides[1].TruthSource);
        Assert.Equal(DetectionKind.FalsePositive, Assert.Single(result.Slides[2].Detections).Kind);
        Assert.False(result.Slides[2].HasTumour);

        Assert.Equal((3, 1, 2, 1), (result.Slides.Count, result.TumourSlides, result.NormalSlides, result.SlidesWithoutTruth));
        Assert.Equal((3, 1, 2, 11, 6), (result.CountedRegions, result.IsolatedTumourCellRegions, result.HitRegions, result.Detections, result.FalsePositives));
        // Slide-level: A (tumour) scores 0.9 above B's 0.8 and C's 0.6.
        Assert.Equal(1.0, result.SlideAuc);
        Assert.Empty(result.TruthWithoutPredictions);
    }

    [Fact]
    public void TiedTruePositiveAndFalsePositive_CountTogether_AndTheRateIsInterpolated()
    {
        // One slide, three counted regions: hit at 0.9 and 0.7, one missed; a false positive tied at 0.7.
        // Thresholds {0, .7, .9} without 0: at .7, TP 2 and FP 1 together; at .9, TP 1 and FP 0; then (0, 0).
        // Reversed rates [0, 0, 1], sensitivities [0, 1/3, 2/3]: at 1/4, 1/3 + 1/4 * 1/3 = 5/12; at 1/2, 1/2; from 1 on, 2/3.
        // Score: (5/12 + 6/12 + 4 * 8/12) / 6 = 43/72.
        var mask = new SlideMask(120, 100, 5, 32);
        EvaluationMaskTests.Fill(mask, 5, 5, 45, 45);
        EvaluationMaskTests.Fill(mask, 60, 5, 100, 45);
        EvaluationMaskTests.Fill(mask, 60, 70, 110, 72); // a 50 x 2 bar: long enough to count, never detected
        var truth = new TruthSet([SlideTruth.FromMask("t", mask)], "hand-made");
        var (x1, y1) = HandMadeCohort.At(20, 20);
        var (x2, y2) = HandMadeCohort.At(80, 20);
        var (fx, fy) = HandMadeCohort.At(52, 55);
        var predictions = new SlidePredictions("t", [new Lesion(0.7f, fx, fy), new Lesion(0.9f, x1, y1), new Lesion(0.7f, x2, y2)], "t.csv");

        var result = FrocEvaluator.Evaluate([predictions], truth);

        Assert.Equal(3, result.CountedRegions);
        AssertClose([5.0 / 12, 0.5, 2.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3], result.OperatingPoints.Select(p => p.Sensitivity));
        Assert.Equal(43.0 / 72, result.Score!.Value, 12);
        Assert.Null(result.SlideAuc); // one slide: no normal slide to compare with
    }

    [Fact]
    public void WhenNoRegionIsMissed_TheLowestProbabilityIsDroppedAsTheScriptDoes()
    {
        // Hits 0.9 and 0.6 (nothing missed, no ITC, so no 0 among the probabilities), false positives 0.8, 0.7 and 0.5,
        // 4 slides. Thresholds {.5 .. .9} without .5: the 0.5 false positive is never counted.
        //   t  .6  .7  .8  .9 close    rates reversed [0, 0, .25, .5, .5], sensitivities [0, .5, .5, .5, 1]
        //   TP  2   1   1   1  0       at .25 -> .5 (exact rate, last of its run); at .5 and beyond -> 1.
        //   FP  2   2   1   0  0       Score (.5 + 5) / 6 = 11/12.
        var curve = FrocCurve.Compute([0.8f, 0.7f, 0.5f], [0.9f, 0.6f], countedRegions: 2, slides: 4);

        Assert.Equal(11.0 / 12, curve.Score!.Value, 12);
        Assert.Equal(2, curve.Points.Max(p => p.FalsePositives));
        Assert.Equal([(double?)0.6f, 0.7f, 0.8f, 0.9f, null], curve.Points.Select(p => p.Threshold));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, 0.2)]     // equal to a duplicated rate: the last of the run
    [InlineData(0.5, 0.3)]   // from the last of the run to the first of the next
    [InlineData(1, 0.6)]
    [InlineData(1.5, 0.7)]
    [InlineData(2, 0.8)]
    [InlineData(3, 0.8)]     // beyond the last rate: the last value
    public void Interp_FollowsNumpyOnDuplicateRates(double x, double expected)
    {
        Assert.Equal(expected, FrocCurve.NumpyInterp(x, [0, 0, 1, 1, 2], [0, 0.2, 0.4, 0.6, 0.8]), 12);
    }

    [Fact]
    public void NoCountedRegion_LeavesTheScoreUndefined()
    {
        var truth = new TruthSet([SlideTruth.FromMask("itc", EvaluationMaskTests.Dot(50, 50, 25, 25))], "hand-made");
        var (x, y) = HandMadeCohort.At(25, 25);

        var result = FrocEvaluator.Evaluate([new SlidePredictions("itc", [new Lesion(0.9f, x, y)], "itc.csv")], truth);

        Assert.Null(result.Score);
        Assert.Equal(DetectionKind.IsolatedTumourCells, Assert.Single(result.Slides[0].Detections).Kind);
        Assert.Equal(0, result.FalsePositives);
    }

    [Fact]
    public void TruthWithoutPredictions_IsListedAndNotEvaluated()
    {
        var truth = new TruthSet([SlideTruth.FromMask("A", HandMadeCohort.SlideA()), SlideTruth.FromMask("D", HandMadeCohort.SlideC())], "hand-made");

        var result = FrocEvaluator.Evaluate([new SlidePredictions("a", HandMadeCohort.PredictionsA(), "a.csv")], truth);

        Assert.Equal(["D"], result.TruthWithoutPredictions);
        Assert.Equal(3, result.CountedRegions); // "a" matched "A": ids are compared without regard to case
    }

    [Fact]
    public void ANonNumericProbability_IsAnErrorNamingTheFile()
    {
        var ex = Assert.Throws<EvaluationException>(() =>
            FrocEvaluator.Evaluate([new SlidePredictions("B", [new Lesion(float.NaN, 1, 1)], "/data/B.csv")], HandMadeCohort.Truth()));
        Assert.Contains("/data/B.csv", ex.Message);
        Assert.Contains("NaN", ex.Message);
    }

    [Fact]
    public void SlideAuc_CountsTiesAsHalf()
    {
        // Pairs (tumour, normal): 0.9 beats 0.5 and 0.2; 0.5 ties 0.5 (half) and beats 0.2: 3.5 of 4.
        Assert.Equal(0.875, SlideAuc.Compute([(0.9, true), (0.5, true), (0.5, false), (0.2, false)]));
        Assert.Null(SlideAuc.Compute([(0.9, true), (0.5, true)]));
    }

    private static void AssertClose(double[] expected, IEnumerable<double> actual)
    {
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 12);
    }
}
