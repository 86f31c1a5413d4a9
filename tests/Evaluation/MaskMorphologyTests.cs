using OrleansPathology.Evaluation;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>The image operations the evaluation mask is made of, each against a definition computed the slow way.</summary>
public sealed class MaskMorphologyTests
{
    [Fact]
    public void DistanceTransform_EqualsBruteForceNearestFeature()
    {
        var random = new Random(5);
        foreach (var (width, height, density) in new[] { (37, 23, 0.02), (16, 40, 0.1), (50, 3, 0.01), (9, 9, 0.0) })
        {
            var mask = new byte[width * height];
            for (var i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < density ? (byte)1 : (byte)0;
            if (density > 0) mask[width * height / 2] = 1;

            var squared = DistanceTransform.SquaredDistances(mask, width, height);

            var features = Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).Select(i => (X: i % width, Y: i / width)).ToList();
            for (var i = 0; i < mask.Length; i++)
            {
                var (x, y) = (i % width, i / width);
                var expected = features.Count == 0 ? DistanceTransform.Unreachable : features.Min(f => (f.X - x) * (f.X - x) + (f.Y - y) * (f.Y - y));
                Assert.True(expected == squared[i], $"{width}x{height} pixel ({x}, {y}): expected {expected}, got {squared[i]}");
            }
        }
    }

    [Fact]
    public void HoleFilling_FillsEnclosedBackground_ButNotBackgroundReachingTheBorder()
    {
        // Two closed rings with holes, and open background around and between them.
        string[] rows =
        [
            "..........",
            ".####.###.",
            ".#..#.#.#.",
            ".####.#.#.",
            "......###.",
            "#.........",
            ".#........",
        ];
        var (mask, width, height) = Parse(rows);

        HoleFilling.Fill(mask, width, height);

        Assert.Equal(1, mask[2 * width + 2]); // inside the ring
        Assert.Equal(1, mask[2 * width + 3]);
        Assert.Equal(1, mask[2 * width + 7]); // the column inside the second ring (closed at the bottom by row 4)
        Assert.Equal(0, mask[0]);             // border background stays
        Assert.Equal(0, mask[4 * width + 1]); // open background stays
        Assert.Equal(0, mask[6 * width + 0]);
    }

    [Fact]
    public void HoleFilling_TreatsDiagonalOnlyContactWithTheOutsideAsAHole()
    {
        // The centre pixel's only way out is diagonal: scipy's default 4-connected structure fills it.
        string[] rows =
        [
            "#.#",
            "#.#",
            "###",
        ];
        var (open, w, h) = Parse(rows);
        HoleFilling.Fill(open, w, h);
        Assert.Equal(0, open[1 * w + 1]); // reaches the top border straight up: not a hole

        string[] diagonal =
        [
            ".####",
            "#.###",
            "#####",
        ];
        var (mask, width, height) = Parse(diagonal);
        HoleFilling.Fill(mask, width, height);
        Assert.Equal(1, mask[1 * width + 1]);
        Assert.Equal(0, mask[0]);
    }

    [Fact]
    public void Labelling_JoinsDiagonalNeighbours_AndNumbersRegionsInRasterOrder()
    {
        string[] rows =
        [
            "....#",
            "#...#",
            ".#...",
            "..#..",
            ".....",
            "##.##",
        ];
        var (mask, width, height) = Parse(rows);

        var (labels, regions) = RegionLabeller.Label(mask, width, height);

        Assert.Equal(4, regions.Count);
        Assert.Equal(1, labels[4]);               // the first pixel in raster order
        Assert.Equal(1, labels[1 * width + 4]);
        Assert.Equal(2, labels[1 * width + 0]);   // the diagonal run (0,1)-(1,2)-(2,3)
        Assert.Equal(2, labels[3 * width + 2]);
        Assert.Equal(3, labels[5 * width + 0]);
        Assert.Equal(4, labels[5 * width + 3]);
        Assert.Equal([2L, 3L, 2L, 2L], regions.Select(r => r.Area));
        Assert.Equal((0, 1, 2, 3), (regions[1].MinX, regions[1].MinY, regions[1].MaxX, regions[1].MaxY));
        Assert.Equal((1.0, 2.0), (regions[1].CentroidX, regions[1].CentroidY));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(1, 36)]
    [InlineData(7, 3)]
    [InlineData(40, 40)]
    public void MajorAxis_OfARectangle_IsFourRootsOfItsLongerSidesVariance(int width, int height)
    {
        // skimage: 4 sqrt(largest eigenvalue of the coordinate covariance). For an a x b block the covariance is
        // diagonal, (a^2 - 1)/12 and (b^2 - 1)/12.
        var mask = new byte[(width + 4) * (height + 4)];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++) mask[(y + 2) * (width + 4) + x + 2] = 1;

        var (_, regions) = RegionLabeller.Label(mask, width + 4, height + 4);

        var longer = Math.Max(width, height);
        Assert.Single(regions);
        Assert.Equal(4 * Math.Sqrt((longer * longer - 1) / 12.0), regions[0].MajorAxisLength, 9);
    }

    [Fact]
    public void MajorAxis_OfADiagonalLine_UsesTheCovariance()
    {
        // n pixels on the diagonal: var x = var y = cov = (n^2 - 1)/12, so the larger eigenvalue is twice that.
        const int n = 10;
        var mask = new byte[n * n];
        for (var i = 0; i < n; i++) mask[i * n + i] = 1;
        var (_, regions) = RegionLabeller.Label(mask, n, n);
        Assert.Single(regions);
        Assert.Equal(4 * Math.Sqrt(2 * (n * n - 1) / 12.0), regions[0].MajorAxisLength, 9);
    }

    internal static (byte[] Mask, int Width, int Height) Parse(string[] rows)
    {
        var width = rows[0].Length;
        var mask = new byte[width * rows.Length];
        for (var y = 0; y < rows.Length; y++)
            for (var x = 0; x < width; x++) mask[y * width + x] = rows[y][x] == '#' ? (byte)1 : (byte)0;
        return (mask, width, rows.Length);
    }
}
