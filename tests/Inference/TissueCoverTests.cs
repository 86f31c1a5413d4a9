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
}
