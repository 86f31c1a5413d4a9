using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Inference;

public sealed class MapTiffTests
{
    [Fact]
    public void OpenSlideReadsTheMapBack_WithItsValuesSizeAndScaledResolution()
    {
        // 300x270 spans two tiles each way, so edge tiles are exercised.
        var map = new ProbabilityMap(300, 270, 64);
        map[0, 0] = 1f;
        map[299, 269] = 0.5f;
        map[120, 7] = 0.25f;
        var path = Path.Combine(TestData.NewTempDir(), "map.tif");

        MapTiff.Write(path, map, micronsPerPixel: 0.243);

        using var tiff = Slide.Open(path);
        Assert.Equal("generic-tiff", tiff.Vendor);
        Assert.Equal((300L, 270L), tiff.Dimensions);
        Assert.Equal(0.243 * 64, tiff.MicronsPerPixel!.Value.X, 2);
        Assert.Equal(255, tiff.ReadRegion(0, 0, 0, 1, 1).Pixels[0]);
        Assert.Equal(128, tiff.ReadRegion(299, 269, 0, 1, 1).Pixels[0]);
        Assert.Equal(64, tiff.ReadRegion(120, 7, 0, 1, 1).Pixels[0]);
        Assert.Equal(0, tiff.ReadRegion(5, 5, 0, 1, 1).Pixels[0]); // not computed
    }
}
