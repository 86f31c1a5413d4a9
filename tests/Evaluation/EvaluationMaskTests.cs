using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>The CAMELYON16 evaluation mask on masks whose answer can be counted by hand.</summary>
public sealed class EvaluationMaskTests
{
    [Fact]
    public void OnePixel_GrowsToEveryPixelNearerThan75OverTwoMicrons()
    {
        // 0.243 um/px at level 5: threshold 75 / (0.243 * 32 * 2) = 4.82 px, so squared distances 0..23 join.
        // Lattice points with dx^2 + dy^2 <= 23: 9 (dx 0) + 2*9 (|dx| 1) + 2*9 (2) + 2*7 (3) + 2*5 (4) = 69.
        var mask = Dot(41, 41, 20, 20);

        var evaluation = EvaluationMask.Create(mask, 0.243);

        var region = Assert.Single(evaluation.Regions);
        Assert.Equal(69, region.AreaPixels);
        Assert.True(region.IsolatedTumourCells);
        Assert.Equal(1, evaluation[20 + 4, 20 + 2]);  // 4^2 + 2^2 = 20 < 23.26
        Assert.Equal(0, evaluation[20 + 4, 20 + 3]);  // 25: outside
        Assert.Equal(0, evaluation[20 + 5, 20]);
    }

    [Fact]
    public void CoarserSlides_GrowByTheSameMicrons_SoFewerPixels()
    {
        // At 0.486 um/px the threshold halves to 2.41 px: squared distances 0..5 join: 5 + 2*5 + 2*3 = 21 pixels.
        var evaluation = EvaluationMask.Create(Dot(21, 21, 10, 10), 0.486);
        Assert.Equal(21, Assert.Single(evaluation.Regions).AreaPixels);
    }

    [Fact]
    public void Growth_IsStrictlyBelowTheThreshold()
    {
        // 75 / (0.390625 * 32 * 2) = 3 exactly: distance 3 does not join, so a pixel grows to the 5 x 5 block (d^2 <= 8).
        var evaluation = EvaluationMask.Create(Dot(21, 21, 10, 10), 0.390625);
        Assert.Equal(25, Assert.Single(evaluation.Regions).AreaPixels);
        Assert.Equal(0, evaluation[13, 10]);
    }

    [Fact]
    public void Lesions_WithinTwiceTheGrowth_Merge_AndHolesAreFilled()
    {
        var mask = new SlideMask(120, 80, 5, 32);
        // Two blocks with 10 columns between: each grows 4 columns towards the other (d <= 4.82), leaving 2: separate.
        Fill(mask, 10, 10, 20, 20);
        Fill(mask, 30, 10, 40, 20);
        // Two blocks with 8 columns between: the growths meet (4 + 4), so they are one region.
        Fill(mask, 50, 10, 55, 20);
        Fill(mask, 63, 10, 70, 20);
        // A 46 x 46 ring 3 px thick whose 40 x 40 hole stays open after growth: the fill closes it.
        Fill(mask, 70, 30, 116, 76);
        Clear(mask, 73, 33, 113, 73);

        var evaluation = EvaluationMask.Create(mask, 0.243);

        Assert.Equal(4, evaluation.Regions.Count);
        Assert.NotEqual(evaluation[15, 15], evaluation[35, 15]);
        Assert.Equal(evaluation[52, 15], evaluation[66, 15]);
        var ring = evaluation[71, 31];
        Assert.Equal(ring, evaluation[93, 53]); // the centre of the hole
        // Filled ring = the whole 46 x 46 block grown by the 69-pixel disc (radius 4, 12 pixels short of its 9 x 9 box,
        // 3 per corner): a 54 x 54 square less 3 pixels at each corner.
        Assert.Equal(54 * 54 - 4 * 3, evaluation.Regions[ring - 1].AreaPixels);
        Assert.False(evaluation.Regions[ring - 1].IsolatedTumourCells);
    }

    [Fact]
    public void IsolatedTumourCells_AreRegionsWithAMajorAxisBelow275Microns()
    {
        // 275 / (0.243 * 32) = 35.36 px. A horizontal bar grows by 4 px at each end (and rounds): lengths either side of the limit.
        var mask = new SlideMask(200, 60, 5, 32);
        Fill(mask, 10, 10, 30, 12);   // 20 px long
        Fill(mask, 10, 40, 80, 42);   // 70 px long
        var evaluation = EvaluationMask.Create(mask, 0.243);

        Assert.Equal(2, evaluation.Regions.Count);
        foreach (var region in evaluation.Regions)
            Assert.Equal(region.MajorAxisPixels < 275 / (0.243 * 32), region.IsolatedTumourCells);
        Assert.True(evaluation.Regions[0].IsolatedTumourCells);
        Assert.False(evaluation.Regions[1].IsolatedTumourCells);
        Assert.Equal(evaluation.Regions[1].MajorAxisPixels * 0.243 * 32, evaluation.Regions[1].MajorAxisMicrons, 9);
    }

    [Fact]
    public void LabelAt_IndexesMaskByIntegerDivision_AndOffTheMaskIsMinusOne()
    {
        var mask = new SlideMask(10, 10, 5, 32);
        Fill(mask, 4, 4, 6, 6);
        var evaluation = EvaluationMask.Create(mask, 0.243);

        Assert.Equal(1, evaluation.LabelAt(4 * 32, 4 * 32));
        Assert.Equal(1, evaluation.LabelAt(9 * 32 - 0.1, 4 * 32)); // column 8: 3 px right of the block
        Assert.Equal(0, evaluation.LabelAt(0, 0));
        Assert.Equal(-1, evaluation.LabelAt(-1, 100));
        Assert.Equal(-1, evaluation.LabelAt(100, 10 * 32));
        Assert.Equal(-1, evaluation.LabelAt(double.NaN, 0));
        Assert.Equal(0, evaluation.LabelAt(10 * 32 - 0.5, 10 * 32 - 0.5)); // the last pixel is still on the mask
    }

    [Fact]
    public void EmptyTruth_HasNoRegions()
    {
        var evaluation = EvaluationMask.Create(new SlideMask(30, 20, 5, 32), 0.243);
        Assert.Empty(evaluation.Regions);
        Assert.Equal(0, evaluation.LabelAt(100, 100));
    }

    internal static SlideMask Dot(int width, int height, int x, int y)
    {
        var mask = new SlideMask(width, height, 5, 32);
        mask[x, y] = 1;
        return mask;
    }

    /// <summary>Sets [x0, x1) x [y0, y1) to tumour.</summary>
    internal static void Fill(SlideMask mask, int x0, int y0, int x1, int y1)
    {
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) mask[x, y] = 1;
    }

    private static void Clear(SlideMask mask, int x0, int y0, int x1, int y1)
    {
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) mask[x, y] = 0;
    }
}
