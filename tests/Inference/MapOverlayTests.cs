using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Inference;

/// <summary>The slide-aligned overlay, read back by OpenSlide here and by openslide-python (RGBA) as viewers read it.</summary>
public sealed class MapOverlayTests
{
    private static (string Path, ProbabilityMap Map) Write()
    {
        // 300x270 cells: an overlay of 1200x1080 spanning several tiles, with reduced levels down to one tile.
        var map = new ProbabilityMap(300, 270, 64);
        for (var x = 100; x < 200; x++) map[x, 50] = 0.9f;
        map[0, 0] = 0f;   // computed, no tumour: coloured, unlike an uncomputed cell
        map[299, 269] = 1f;
        var path = Path.Combine(TestData.NewTempDir(), "slide.overlay.tif");
        MapOverlay.Write(path, map, micronsPerPixel: 0.243);
        return (path, map);
    }

    [Fact]
    public void OpenSlideOpensAPyramid_WhoseResolutionSpansTheSlide()
    {
        var (path, _) = Write();

        using var overlay = Slide.Open(path);

        Assert.Equal([(1200L, 1080L), (600L, 540L), (300L, 270L), (150L, 135L)], overlay.Levels.Select(l => (l.Width, l.Height)));
        // One overlay pixel is 16 level-0 pixels of the slide: 300 cells x 64 px x 0.243 um = 1200 px x 3.888 um.
        Assert.Equal(0.243 * 64 / MapOverlay.PixelsPerCell, overlay.MicronsPerPixel!.Value.X, 3);
        var expected = HeatmapRenderer.Ramp(0.9f);
        var pixel = overlay.ReadRegion(150 * 4 + 1, 50 * 4 + 1, 0, 1, 1); // cell (150, 50), in overlay pixels
        Assert.InRange(Math.Abs(pixel.Pixels[0] - expected.R), 0, 1);
        Assert.InRange(Math.Abs(pixel.Pixels[2] - expected.B), 0, 1);
    }

    [Fact]
    public void ALargeSlidesOverlay_IsWrittenWithoutALevelSizedImage()
    {
        // A 100000x100000 slide's map at stride 64: its 4 px-per-cell level alone is 6252x6252 RGBA, 156 MB, which the
        // writer held whole (with its halvings, 672 MB allocated) as a run's outputs were written.
        var map = new ProbabilityMap(1563, 1563, 64);
        for (var y = 0; y < map.Height; y++)
        for (var x = 0; x < map.Width; x++) map[x, y] = (x + y) % 7 == 0 ? float.NaN : (x * y % 1000) / 1000f;
        var path = Path.Combine(TestData.NewTempDir(), "large.overlay.tif");

        var before = GC.GetAllocatedBytesForCurrentThread();
        MapOverlay.Write(path, map, micronsPerPixel: 0.25);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var levelBytes = (long)map.Width * MapOverlay.PixelsPerCell * map.Height * MapOverlay.PixelsPerCell * 4;
        Assert.True(allocated < levelBytes / 2, $"allocated {allocated / 1e6:0.0} MB writing an overlay whose first level is {levelBytes / 1e6:0.0} MB");
        using var overlay = Slide.Open(path);
        Assert.Equal((6252L, 6252L), (overlay.Levels[0].Width, overlay.Levels[0].Height));
        var cell = overlay.ReadRegion(10 * 4 + 2, 3 * 4 + 1, 0, 1, 1).Pixels; // cell (10, 3): 0.030
        var expected = HeatmapRenderer.Ramp(0.03f);
        Assert.All(new[] { (cell[0], expected.R), (cell[1], expected.G), (cell[2], expected.B) },
            c => Assert.InRange(Math.Abs(c.Item1 - c.Item2), 0, 1)); // un-premultiplied from alpha 170: +-1
    }

    [Fact]
    public void UncomputedCellsAreTransparent_ComputedZeroIsColoured_InOpenslidePython()
    {
        var (path, _) = Write();

        var output = Python.Run("""
            import sys, openslide, numpy as np
            s = openslide.OpenSlide(sys.argv[1])
            a = np.array(s.read_region((0, 0), 0, (1200, 1080)))
            print(a[2, 2, 3], a[2, 2, 2], a[10, 10, 3], a[50 * 4 + 1, 150 * 4 + 1, 3], a[1079, 1199, 0], s.level_count)
            """, path).Trim().Split(' ').Select(int.Parse).ToArray();

        Assert.Equal(MapOverlay.Opacity, output[0]);               // cell (0, 0): p = 0, blue
        Assert.Equal(HeatmapRenderer.Ramp(0f).B, output[1]);
        Assert.Equal(0, output[2]);                                // not computed: transparent
        Assert.Equal(MapOverlay.Opacity, output[3]);
        Assert.Equal(HeatmapRenderer.Ramp(1f).R, output[4]);
        Assert.Equal(4, output[5]);
    }
}
