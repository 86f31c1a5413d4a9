using System.Diagnostics;
using OrleansPathology.Annotations;
using OrleansPathology.Imaging;

namespace OrleansPathology.Tests.Annotations;

public sealed class AnnotationRasterizerTests
{
    private static readonly Lazy<SlideAnnotations> Test040 = new(() => AsapXml.Read(TestData.Annotation("camelyon16-xml/test_040.xml")));

    // Dimensions that cover test_040's coordinates (x up to 75,056, y up to 106,328); its slide is not here.
    private const long Test040Width = 100_000;
    private const long Test040Height = 220_000;

    public static TheoryData<string, int> ShapesAndLevels()
    {
        var data = new TheoryData<string, int>();
        foreach (var shape in new[] { "rectangle", "rotated square", "circle" })
            foreach (var level in new[] { 2, 4 }) data.Add(shape, level);
        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAndLevels))]
    public void KnownShape_HasItsAreaWithinOnePercent(string shape, int level)
    {
        var polygon = shape switch
        {
            "rectangle" => Polygons.Rectangle(shape, 1000.3, 2000.7, 9000.2, 6000.9),
            "rotated square" => Polygons.Regular(shape, 6000, 6000, 4000, 4, rotation: Math.PI / 6),
            _ => Polygons.Regular(shape, 6000, 6000, 4000, 720),
        };
        var downsample = Math.Pow(2, level);

        var mask = AnnotationRasterizer.Rasterize(Polygons.Tumour(polygon), 12_000, 12_000, level, downsample);

        Assert.Equal((int)Math.Ceiling(12_000 / downsample), mask.Width);
        Assert.Equal(level, mask.Level);
        Assert.Equal(downsample, mask.Downsample);
        var area = mask.CountForeground() * downsample * downsample;
        var expected = PolygonGeometry.Area(polygon.Vertices);
        Assert.InRange(area, expected * 0.99, expected * 1.01);
        Assert.All(mask.Data, b => Assert.True(b is 0 or 1));
    }

    [Fact]
    public void Pixel_IsInsideWhenItsCentreIs_HalfOpenAtTheFarEdges()
    {
        // At downsample 2 pixel k's centre is 2k + 1. A [0, 3) square holds centre 1 but not 3; a [0, 4) square holds 1 and 3.
        var small = AnnotationRasterizer.Rasterize(Polygons.Tumour(Polygons.Rectangle("s", 0, 0, 3, 3)), 8, 8, 1, 2);
        var exact = AnnotationRasterizer.Rasterize(Polygons.Tumour(Polygons.Rectangle("e", 0, 0, 4, 4)), 8, 8, 1, 2);
        var edgeOn = AnnotationRasterizer.Rasterize(Polygons.Tumour(Polygons.Rectangle("o", 1, 1, 4, 4)), 8, 8, 1, 2);

        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], small.Data);
        Assert.Equal([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], exact.Data);
        // A centre on the near edge (x = 1, y = 1) is inside, so the same four pixels.
        Assert.Equal(exact.Data, edgeOn.Data);
    }

    [Fact]
    public void Exclusion_IsCutOutOfTumour()
    {
        var annotations = new SlideAnnotations(
            [Polygons.Rectangle("tumour", 0, 0, 1000, 1000)],
            [Polygons.Rectangle("hole", 200, 200, 600, 500), Polygons.Rectangle("elsewhere", 2000, 2000, 2500, 2500)]);

        var mask = AnnotationRasterizer.Rasterize(annotations, 3000, 3000, 2, 4);

        Assert.Equal((1000 * 1000 - 400 * 300) / 16, mask.CountForeground());
        Assert.Equal(1, mask[10, 10]);
        Assert.Equal(0, mask[100, 80]); // level-0 (402, 322): in the hole
        Assert.Equal(0, mask[550, 550]); // the exclusion outside any tumour paints nothing
    }

    [Fact]
    public void Exclusion_CutsThroughOverlappingTumours()
    {
        // Exclusion is painted after every tumour outline, as in AnnotationToMask's conversion order (_0, _1, then _2).
        var annotations = new SlideAnnotations(
            [Polygons.Rectangle("a", 0, 0, 40, 40), Polygons.Rectangle("b", 20, 0, 80, 40)],
            [Polygons.Rectangle("hole", 30, 10, 50, 30)]);

        var mask = AnnotationRasterizer.Rasterize(annotations, 80, 40, 0, 1);

        Assert.Equal(80 * 40 - 20 * 20, mask.CountForeground());
    }

    [Fact]
    public void OverlappingTumourOutlines_AreUnitedNotXored()
    {
        var annotations = Polygons.Tumour(Polygons.Rectangle("a", 0, 0, 60, 60), Polygons.Rectangle("b", 30, 30, 90, 90));

        var mask = AnnotationRasterizer.Rasterize(annotations, 100, 100, 0, 1);

        Assert.Equal(60 * 60 * 2 - 30 * 30, mask.CountForeground());
        Assert.Equal(1, mask[45, 45]);
    }

    [Fact]
    public void SelfCrossingOutline_FollowsEvenOdd()
    {
        // A pentagram: even-odd leaves its central pentagon out (nonzero winding would fill it).
        var star = new AnnotationPolygon("star", "_0",
            [.. Enumerable.Range(0, 5).Select(k => 2 * k % 5).Select(k => new PointD(500 + 400 * Math.Sin(2 * Math.PI * k / 5), 500 - 400 * Math.Cos(2 * Math.PI * k / 5)))]);

        var mask = AnnotationRasterizer.Rasterize(Polygons.Tumour(star), 1000, 1000, 0, 1);

        Assert.Equal(0, mask[500, 500]);
        Assert.Equal(1, mask[500, 150]); // inside the top point
    }

    [Fact]
    public void Test040_EqualsAPerPixelReference()
    {
        const double downsample = 256;
        var annotations = Test040.Value;

        var mask = AnnotationRasterizer.Rasterize(annotations, Test040Width, Test040Height, 8, downsample);

        var mismatches = 0;
        var boxes = annotations.Tumour.Concat(annotations.Exclusion).Select(p => (Polygon: p, Box: PolygonGeometry.Bounds(p.Vertices))).ToList();
        for (var j = 0; j < mask.Height; j++)
        {
            for (var i = 0; i < mask.Width; i++)
            {
                var (x, y) = ((i + 0.5) * downsample, (j + 0.5) * downsample);
                // The reference asks every edge per point; only outlines whose box holds the point can contain it.
                var near = boxes.Where(b => x >= b.Box.MinX && x <= b.Box.MaxX && y >= b.Box.MinY && y <= b.Box.MaxY).Select(b => b.Polygon).ToList();
                var expected = Polygons.Label(new SlideAnnotations([.. near.Where(annotations.Tumour.Contains)], [.. near.Where(annotations.Exclusion.Contains)]), x, y);
                if (mask[i, j] != expected) mismatches++;
            }
        }
        Assert.Equal(0, mismatches);
        Assert.True(mask.CountForeground() > 1000, $"only {mask.CountForeground()} tumour pixels: the comparison proves little");
    }

    [Fact]
    public void Windows_TilingTheSlide_EqualTheWholeMask()
    {
        const int level = 5;
        const double downsample = 32;
        const int tile = 256;
        var whole = AnnotationRasterizer.Rasterize(Test040.Value, Test040Width, Test040Height, level, downsample);
        var raster = AnnotationRasterizer.Prepare(Test040.Value, downsample);
        var buffer = new byte[tile * tile];
        var skippedWithTumour = 0;

        for (var y0 = 0; y0 < whole.Height; y0 += tile)
        {
            for (var x0 = 0; x0 < whole.Width; x0 += tile)
            {
                int w = Math.Min(tile, whole.Width - x0), h = Math.Min(tile, whole.Height - y0);
                Array.Fill(buffer, (byte)7); // every byte of the window must be written
                raster.FillWindow(x0, y0, w, h, buffer);
                var crop = Crop(whole, x0, y0, w, h);
                Assert.True(crop.AsSpan().SequenceEqual(buffer.AsSpan(0, w * h)), $"window at ({x0},{y0}) {w}x{h} differs from the whole mask");
                if (!raster.MayContainTumour(x0, y0, w, h) && crop.Any(b => b != 0)) skippedWithTumour++;
            }
        }
        Assert.Equal(0, skippedWithTumour);
        Assert.True(whole.CountForeground() > 0);
    }

    [Fact]
    public void RasterizeWindow_OddWindowsAtLevelZero_EqualTheCrop()
    {
        // Level 0 of a region around test_040's tumour: windows that start mid-outline, at odd offsets and sizes.
        var annotations = Test040.Value;
        var (minX, minY, _, _) = PolygonGeometry.Bounds(annotations.Tumour[0].Vertices);
        long regionX = (long)minX - 300, regionY = (long)minY - 200;
        const int regionW = 1500, regionH = 1200;
        var region = new byte[regionW * regionH];
        AnnotationRasterizer.RasterizeWindow(annotations, 0, 1, regionX, regionY, regionW, regionH, region);
        Assert.Contains((byte)1, region);

        foreach (var (dx, dy, w, h) in new[] { (0, 0, 1, 1), (17, 391, 733, 5), (400, 100, 1, 900), (1499, 1199, 1, 1), (250, 250, 1000, 700) })
        {
            var window = new byte[w * h + 3];
            window.AsSpan().Fill(9);
            AnnotationRasterizer.RasterizeWindow(annotations, 0, 1, regionX + dx, regionY + dy, w, h, window);
            for (var r = 0; r < h; r++)
                Assert.True(region.AsSpan((dy + r) * regionW + dx, w).SequenceEqual(window.AsSpan(r * w, w)), $"row {r} of window ({dx},{dy}) {w}x{h}");
            Assert.Equal([9, 9, 9], window[(w * h)..]); // nothing written past the window
        }
    }

    [Fact]
    public void Window_PastTheSlideEdge_IsZeroThere()
    {
        var annotations = Polygons.Tumour(Polygons.Rectangle("r", 0, 0, 10, 10));
        var window = new byte[20 * 20];

        AnnotationRasterizer.RasterizeWindow(annotations, 0, 1, -5, -5, 20, 20, window);

        Assert.Equal(100, window.Count(b => b == 1));
        Assert.Equal(0, window[0]);
        Assert.Equal(1, window[5 * 20 + 5]);
    }

    [Fact]
    public void LargeOutline_FillsAWideLevelZeroStripQuickly()
    {
        // A 100,000-vertex circle 30,000 pixels across, filled at level 0 in strips 30,000 wide, as a tile-by-tile
        // generator would: the area must match and the whole pass stay far from per-pixel point-in-polygon cost.
        var circle = Polygons.Regular("big", 15_000, 15_000, 15_000, 100_000);
        var stopwatch = Stopwatch.StartNew();
        var raster = AnnotationRasterizer.Prepare(Polygons.Tumour(circle), 1);
        const int width = 30_000, strip = 1_000;
        var buffer = new byte[width * strip];
        long filled = 0;

        for (var y0 = 0; y0 < 30_000; y0 += strip)
        {
            raster.FillWindow(0, y0, width, strip, buffer);
            filled += buffer.Count(b => b != 0);
        }
        stopwatch.Stop();

        var expected = PolygonGeometry.Area(circle.Vertices);
        Assert.InRange(filled, expected * 0.999, expected * 1.001);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"filling took {stopwatch.Elapsed}");
    }

    [Fact]
    public void TooLargeMask_IsAClearError()
    {
        var error = Assert.Throws<ArgumentException>(() => AnnotationRasterizer.Rasterize(Test040.Value, Test040Width, Test040Height, 0, 1));

        Assert.Contains("100000x220000", error.Message);
    }

    [Fact]
    public void ThinOutline_BetweenPixelCentres_FillsNothing()
    {
        var sliver = Polygons.Tumour(Polygons.Rectangle("sliver", 10.6, 0, 11.4, 100));

        var mask = AnnotationRasterizer.Rasterize(sliver, 20, 100, 0, 1);

        Assert.Equal(0, mask.CountForeground());
        Assert.False(AnnotationRasterizer.Prepare(sliver, 1).MayContainTumour(0, 0, 20, 100));
    }

    private static byte[] Crop(SlideMask mask, int x0, int y0, int w, int h)
    {
        var crop = new byte[w * h];
        for (var r = 0; r < h; r++) mask.Data.AsSpan((y0 + r) * mask.Width + x0, w).CopyTo(crop.AsSpan(r * w));
        return crop;
    }
}
