using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>
/// Three slides whose FROC is worked out by hand (see <see cref="FrocHandWorkedTests.ThreeSlides_ScoreElevenEighteenths"/>):
/// A has three counted regions and one ITC region (level-5 masks, 0.243 um/px); B has no truth; C's truth is empty.
/// </summary>
internal static class HandMadeCohort
{
    /// <summary>Level-0 centre of mask pixel (x, y) at level 5.</summary>
    public static (double X, double Y) At(int x, int y) => (x * 32 + 16, y * 32 + 16);

    public static SlideMask SlideA()
    {
        var mask = new SlideMask(200, 200, 5, 32);
        EvaluationMaskTests.Fill(mask, 20, 20, 80, 80);     // label 1: 60 x 60
        EvaluationMaskTests.Fill(mask, 120, 20, 160, 60);   // label 2: 40 x 40
        EvaluationMaskTests.Fill(mask, 20, 120, 60, 160);   // label 3: 40 x 40, never detected
        EvaluationMaskTests.Fill(mask, 150, 150, 153, 153); // label 4: 3 x 3, isolated tumour cells
        return mask;
    }

    public static SlideMask SlideC() => new(200, 200, 5, 32);

    public static IReadOnlyList<Lesion> PredictionsA() =>
    [
        Lesion(0.9f, At(50, 50)),    // region 1: its hit
        Lesion(0.6f, At(30, 30)),    // region 1 again: repeat
        Lesion(0.7f, At(140, 40)),   // region 2: its hit (first of two at 0.7)
        Lesion(0.7f, At(125, 25)),   // region 2, tied: repeat
        Lesion(0.8f, At(151, 151)),  // ITC: ignored
        Lesion(0.5f, At(100, 100)),  // background: false positive
        new Lesion(0.3f, -100, 1000), // off the slide: false positive
    ];

    public static IReadOnlyList<Lesion> PredictionsB() => [new(0.8f, 5000, 5000), new(0.5f, 100, 100), new(0.4f, 3000, 200)];

    public static IReadOnlyList<Lesion> PredictionsC() => [Lesion(0.6f, At(100, 100))];

    public static IReadOnlyList<SlidePredictions> Predictions() =>
    [
        new("A", PredictionsA(), "A.csv"),
        new("B", PredictionsB(), "B.csv"),
        new("C", PredictionsC(), "C.csv"),
    ];

    public static TruthSet Truth() => new([SlideTruth.FromMask("A", SlideA()), SlideTruth.FromMask("C", SlideC())], "hand-made");

    /// <summary>Writes the predictions as CSVs (as InferenceOutputs names them) into a new folder.</summary>
    public static string WritePredictions()
    {
        var dir = TestData.NewTempDir("opath-eval-pred");
        foreach (var slide in Predictions()) LesionDetector.WriteCsv(Path.Combine(dir, slide.SlideId + ".csv"), slide.Lesions);
        return dir;
    }

    private static Lesion Lesion(float probability, (double X, double Y) at) => new(probability, at.X, at.Y);
}
