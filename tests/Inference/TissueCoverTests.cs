using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

public sealed class TissueCoverTests
{
    [Fact]
    public void TwoBlobsInOppositeCorners_AreCoveredByTwoRectangles_NotTheirBoundingBox()
    {
        var tissue = new bool[24, 24];
        for (var y = 0; y < 4; y++)
            for (var x = 0; x < 4; x++)
            {
                tissue[x, y] = true;
                tissue[20 + x, 20 + y] = true;
            }
        var block = new CellRect(0, 0, 24, 24);

        var cover = TissueCover.Cover(tissue, block, 64, 224, 96);

        Assert.Equal([new CellRect(0, 0, 4, 4), new CellRect(20, 20, 4, 4)], cover.OrderBy(r => r.X));
        Assert.True(cover.Sum(r => TissueCover.Cost(r, 64, 224, 96)) < TissueCover.Cost(block, 64, 224, 96) / 4);
    }

    [Fact]
    public void ASolidBlock_IsOneRectangle_AndScatteredTissue_IsCoveredOnceAtNoMoreThanItsBoundingBox()
    {
        var solid = new bool[10, 10];
        for (var y = 0; y < 10; y++) for (var x = 0; x < 10; x++) solid[x, y] = true;
        Assert.Equal([new CellRect(0, 0, 10, 10)], TissueCover.Cover(solid, new CellRect(0, 0, 10, 10), 64, 224, 96));

        var random = new Random(5);
        for (var trial = 0; trial < 20; trial++)
        {
            var tissue = new bool[30, 30];
            for (var i = 0; i < 60; i++) tissue[random.Next(30), random.Next(30)] = true;
            var block = new CellRect(3, 2, 24, 24);
            var cover = TissueCover.Cover(tissue, block, 64, 224, 96);

            var covered = new int[30, 30];
            foreach (var r in cover)
                for (var y = r.Y; y < r.Y + r.Height; y++)
                    for (var x = r.X; x < r.X + r.Width; x++) covered[x, y]++;
            for (var y = 0; y < 30; y++)
                for (var x = 0; x < 30; x++)
                {
                    var inBlock = x >= block.X && x < block.X + block.Width && y >= block.Y && y < block.Y + block.Height;
                    Assert.True(covered[x, y] <= 1, $"({x},{y}) covered twice");
                    if (tissue[x, y] && inBlock) Assert.Equal(1, covered[x, y]);
                    if (!inBlock) Assert.Equal(0, covered[x, y]);
                }
            Assert.True(cover.Sum(r => TissueCover.Cost(r, 64, 224, 96)) <= TissueCover.Cost(block, 64, 224, 96));
        }
    }

    [Fact]
    public void CanonicalSides_ArePowersOfTwoAndThreeTimesThem_CappedAtTheBlock()
    {
        Assert.Equal([1, 2, 3, 4, 6, 6, 8, 8, 12, 12, 12, 12, 16, 16, 16, 16, 24, 24, 24, 24, 24, 24, 24, 24],
            Enumerable.Range(1, 24).Select(c => TissueCover.CanonicalCells(c, 24)));
        Assert.Equal(20, TissueCover.CanonicalCells(17, 20)); // a block side that is not canonical caps the ladder
        Assert.Equal(new CellRect(5, 7, 12, 3), TissueCover.Canonical(new CellRect(5, 7, 9, 3), 24));
        Assert.Equal(new CellRect(5, 7, 9, 3), TissueCover.Canonical(new CellRect(5, 7, 9, 3), 0));
    }

    [Fact]
    public void CanonicalCover_FitsItsCutsToTheSizes_AndStillCoversEachTissueCellOnce()
    {
        var random = new Random(9);
        var shapes = new HashSet<(int, int)>();
        for (var trial = 0; trial < 30; trial++)
        {
            var tissue = new bool[24, 24];
            // Blobs of random size, as tissue is: rectangles of 1 to 14 cells a side.
            for (var blob = 0; blob < 3; blob++)
            {
                int w = random.Next(1, 15), h = random.Next(1, 15), x0 = random.Next(24 - w), y0 = random.Next(24 - h);
                for (var y = y0; y < y0 + h; y++) for (var x = x0; x < x0 + w; x++) tissue[x, y] = true;
            }
            var block = new CellRect(0, 0, 24, 24);
            var free = TissueCover.Cover(tissue, block, 64, 224, 96);
            var canonical = TissueCover.Cover(tissue, block, 64, 224, 96, canonicalLimit: 24);

            var covered = new int[24, 24];
            foreach (var r in canonical)
            {
                for (var y = r.Y; y < r.Y + r.Height; y++) for (var x = r.X; x < r.X + r.Width; x++) covered[x, y]++;
                var widened = TissueCover.Canonical(r, 24);
                shapes.Add((widened.Width, widened.Height));
            }
            for (var y = 0; y < 24; y++)
                for (var x = 0; x < 24; x++)
                {
                    Assert.True(covered[x, y] <= 1);
                    if (tissue[x, y]) Assert.Equal(1, covered[x, y]);
                }
            // Costed with the widening, the cover never computes more than widening the free cover's rectangles would.
            Assert.True(canonical.Sum(r => TissueCover.Cost(TissueCover.Canonical(r, 24), 64, 224, 96))
                <= free.Sum(r => TissueCover.Cost(TissueCover.Canonical(r, 24), 64, 224, 96)));
        }
        Assert.All(shapes, s => Assert.Contains(s.Item1, new[] { 1, 2, 3, 4, 6, 8, 12, 16, 24 }));
    }
}
