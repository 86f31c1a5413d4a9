using OrleansPathology.Imaging;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

public sealed class TileBatchPlannerTests
{
    private static SlideMask RingMask()
    {
        // 40x30 mask at downsample 64 with a filled ring of tissue.
        var mask = new SlideMask(40, 30, 6, 64);
        for (var y = 0; y < 30; y++)
            for (var x = 0; x < 40; x++)
            {
                var d = Math.Sqrt((x - 20) * (x - 20) + (y - 15) * (y - 15));
                if (d is > 5 and < 12) mask[x, y] = 1;
            }
        return mask;
    }

    [Fact]
    public void PatchAndDensePlans_CoverEveryTissueCellExactlyOnce()
    {
        var mask = RingMask();
        var grid = new CellGrid(40 * 64, 30 * 64, 64);
        var tissue = grid.ForegroundCells(mask).ToList();

        var patch = TileBatchPlanner.PlanPatches("s.tif", grid, mask, 32);
        var dense = TileBatchPlanner.PlanDense("s.tif", grid, mask, 8);

        Assert.Equal(mask.CountForeground(), tissue.Count);
        Assert.Equal(tissue, patch.SelectMany(b => b.Cells));
        Assert.Equal(tissue.Order(CellOrder.Instance), dense.SelectMany(b => b.Cells).Order(CellOrder.Instance));
        Assert.All(patch, b => Assert.True(b.Cells.Count <= 32));
        Assert.Equal(Enumerable.Range(0, patch.Count), patch.Select(b => b.Index));
        Assert.All(dense, b =>
        {
            var r = b.Region!.Value;
            Assert.True(r.Width <= 8 && r.Height <= 8);
            Assert.All(b.Cells, c => Assert.InRange(c.X, r.X, r.X + r.Width - 1));
        });
    }

    [Fact]
    public void AStrideOf32_SamplesTheMaskAtCellCentres()
    {
        var mask = RingMask();
        var grid = new CellGrid(40 * 64, 30 * 64, 32);

        var cells = grid.ForegroundCells(mask).ToList();

        Assert.Equal(4 * mask.CountForeground(), cells.Count);
        Assert.All(cells, c => Assert.Equal(1, mask[c.X / 2, c.Y / 2]));
    }

    [Fact]
    public void AMaskOfAnotherSlide_IsRefusedWithBothSizes()
    {
        var grid = new CellGrid(100_000, 80_000, 64);
        var error = Assert.Throws<MaskMismatchException>(() => grid.EnsureMatches(RingMask(), "/data/slide.tif"));
        Assert.Contains("/data/slide.tif", error.Message);
        Assert.Contains("40x30", error.Message);
    }

    private sealed class CellOrder : IComparer<Cell>
    {
        public static readonly CellOrder Instance = new();
        public int Compare(Cell a, Cell b) => a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X.CompareTo(b.X);
    }
}
