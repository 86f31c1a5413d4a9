using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

public sealed class LesionDetectorTests
{
    [Fact]
    public void HandMadeMap_GivesItsPeaksInOrder_SuppressingNeighboursWithinTheBox()
    {
        var map = new ProbabilityMap(200, 100, 64);
        map[10, 10] = 0.9f;   // strongest peak
        map[20, 15] = 0.8f;   // within 24 cells of (10,10): suppressed
        map[100, 50] = 0.7f;  // far away: second lesion
        map[150, 90] = 0.5f;  // at the threshold: not above it, so not a lesion
        map[180, 20] = 0.6f;  // third lesion
        map[5, 5] = 0.2f;     // computed, low

        var lesions = new LesionDetector().Detect(map);

        Assert.Equal(3, lesions.Count);
        Assert.Equal(new Lesion(0.9f, 10.5 * 64, 10.5 * 64), lesions[0]);
        Assert.Equal(new Lesion(0.7f, 100.5 * 64, 50.5 * 64), lesions[1]);
        Assert.Equal(new Lesion(0.6f, 180.5 * 64, 20.5 * 64), lesions[2]);
    }

    [Fact]
    public void TheSuppressionBox_SpansHalfTheBoxBelowAndHalfAbove()
    {
        // MONAI ProbNMS: rows [i - 24, i + 24) for box 48. A cell 24 below survives, 23 below does not... and above: -24 is inside.
        var map = new ProbabilityMap(100, 1, 64);
        map[50, 0] = 0.95f;
        map[26, 0] = 0.9f;  // 50 - 24: inside the box (lower bound inclusive)
        map[25, 0] = 0.85f; // 50 - 25: outside
        map[73, 0] = 0.8f;  // 50 + 23: inside
        map[74, 0] = 0.75f; // 50 + 24: outside (upper bound exclusive)

        var lesions = new LesionDetector().Detect(map);

        Assert.Equal([0.95f, 0.85f, 0.75f], lesions.Select(l => l.Probability));
    }

    [Fact]
    public void UncomputedCells_AreNeverLesions_AndAnEmptyMapHasNone()
    {
        var map = new ProbabilityMap(10, 10, 64);
        Assert.Empty(new LesionDetector().Detect(map));
    }

    [Fact]
    public void Csv_RoundTripsInTheCamelyonFormat()
    {
        var path = Path.Combine(TestData.NewTempDir(), "slide.csv");
        Lesion[] lesions = [new(0.9f, 672, 1344), new(0.55f, 32, 96)];

        LesionDetector.WriteCsv(path, lesions);

        Assert.Equal(["0.9,672,1344", "0.55,32,96"], File.ReadAllLines(path));
        Assert.Equal(lesions, LesionDetector.ReadCsv(path));
    }
}

public sealed class LesionBoxAndCoordinateTests
{
    [Fact]
    public void TheBox_IsInLevel0Pixels_SoAtStride32ItSpans96Cells()
    {
        // 3072 level-0 px: at stride 32 a peak 47 cells away (1504 px) is inside the box, one 48 cells away is outside.
        var map = new ProbabilityMap(200, 1, 32);
        map[100, 0] = 0.95f;
        map[53, 0] = 0.9f;  // 100 - 47: inside
        map[52, 0] = 0.85f; // 100 - 48: on the lower bound, inside
        map[51, 0] = 0.8f;  // 100 - 49: outside
        map[147, 0] = 0.75f; // 100 + 47: inside
        map[148, 0] = 0.7f;  // 100 + 48: outside (upper bound exclusive)

        var lesions = new LesionDetector().Detect(map);

        Assert.Equal(96, new LesionDetector().BoxCells(32));
        Assert.Equal([0.95f, 0.8f, 0.7f], lesions.Select(l => l.Probability));
    }

    [Fact]
    public void AtAnOddStride_LesionsSitOnWholePixels_AndTheCsvHoldsIntegers()
    {
        var map = new ProbabilityMap(10, 10, 63);
        map[0, 0] = 0.9f; // centre 31.5 -> 31

        var lesions = new LesionDetector().Detect(map);
        var path = Path.Combine(TestData.NewTempDir(), "odd.csv");
        LesionDetector.WriteCsv(path, lesions);

        Assert.Equal(new Lesion(0.9f, 31, 31), Assert.Single(lesions));
        Assert.Equal(["0.9,31,31"], File.ReadAllLines(path));
    }
}
