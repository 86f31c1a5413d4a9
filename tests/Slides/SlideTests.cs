using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Slides;

/// <summary>The OpenSlide binding against the real public slides in shared/data (facts from SOURCES.md).</summary>
public sealed class SlideTests
{
    [Fact]
    public void Cmu1SmallRegion_IsAperioWithOneLevelMppAndAssociatedImages()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));

        Assert.Equal("aperio", slide.Vendor);
        var level = Assert.Single(slide.Levels);
        Assert.Equal((2220L, 2967L), (level.Width, level.Height));
        Assert.Equal(1.0, level.Downsample);
        Assert.NotNull(slide.MicronsPerPixel);
        Assert.Equal(0.499, slide.MicronsPerPixel!.Value.X, 3);
        Assert.Equal(0.499, slide.MicronsPerPixel!.Value.Y, 3);
        Assert.Equal(ResolutionSource.OpenSlide, slide.MicronsPerPixel!.Value.Source);
        Assert.Equal(["label", "macro", "thumbnail"], slide.AssociatedImages.Select(a => a.Name).Order());
        Assert.Equal("20", slide.Properties["openslide.objective-power"]);
    }

    [Fact]
    public void Cmu1SmallRegion_AssociatedThumbnailReadsAsTissueOnGlass()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var info = slide.AssociatedImages.Single(a => a.Name == "thumbnail");

        var thumbnail = slide.ReadAssociatedImage("thumbnail");

        Assert.Equal((info.Width, info.Height), ((long)thumbnail.Width, (long)thumbnail.Height));
        // H&E tissue is darker than glass: the thumbnail is neither blank nor black.
        var mean = thumbnail.Pixels.Average(b => (double)b);
        Assert.InRange(mean, 120, 245);
        var error = Assert.Throws<SlideException>(() => slide.ReadAssociatedImage("overview"));
        Assert.Contains("CMU-1-Small-Region.svs", error.Message);
        Assert.Contains("overview", error.Message);
    }

    [Fact]
    public void TcgaSlide_HasTwoLevelsAndNoResolution()
    {
        using var slide = Slide.Open(TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs"));

        Assert.Equal("aperio", slide.Vendor);
        Assert.Equal(2, slide.Levels.Count);
        Assert.Equal((4443L, 3567L), (slide.Levels[0].Width, slide.Levels[0].Height));
        Assert.Equal((2221L, 1783L), (slide.Levels[1].Width, slide.Levels[1].Height));
        Assert.Equal(2.0, slide.Levels[1].Downsample, 2);
        Assert.Null(slide.MicronsPerPixel);
        Assert.Equal(0, slide.BestLevelForDownsample(1.5));
        Assert.Equal(1, slide.BestLevelForDownsample(2.5));
        Assert.Equal(1, slide.BestLevelForDownsample(64));
    }

    [Fact]
    public void SmallSvs_IsSixteenPixelsSquare()
    {
        using var slide = Slide.Open(TestData.Slide("small.svs"));
        Assert.Equal((16L, 16L), slide.Dimensions);
        Assert.Equal(16 * 16 * 3, slide.ReadRegion(0, 0, 0, 16, 16).Pixels.Length);
    }

    [Fact]
    public void BoxesTiff_IsGenericTiffWithFourLevelsAndMppFromTiffTags()
    {
        using var slide = Slide.Open(TestData.Slide("boxes.tiff"));

        Assert.Equal("generic-tiff", slide.Vendor);
        Assert.Equal([(300L, 250L), (150L, 125L), (75L, 62L), (37L, 31L)], slide.Levels.Select(l => (l.Width, l.Height)));
        // 28.3464... pixels per centimetre (72 dpi): 10000 / 28.3464 um per pixel.
        Assert.Equal(ResolutionSource.TiffTags, slide.MicronsPerPixel!.Value.Source);
        Assert.Equal(352.78, slide.MicronsPerPixel!.Value.X, 2);
        Assert.Equal(3, slide.BestLevelForDownsample(100));
    }

    [Theory]
    [InlineData(40, 40, 255, 0, 0)]     // the red box alone
    [InlineData(100, 150, 0, 0, 255)]   // the blue box, drawn over red and green
    [InlineData(250, 200, 0, 255, 0)]   // the green box alone
    [InlineData(5, 5, 255, 255, 255)]   // background
    public void BoxesTiff_ReadRegionGivesTheKnownBoxColours(int x, int y, byte r, byte g, byte b)
    {
        using var slide = Slide.Open(TestData.Slide("boxes.tiff"));
        var pixel = slide.ReadRegion(x, y, 0, 1, 1);
        Assert.Equal([r, g, b], pixel.Pixels);
    }

    [Fact]
    public void ReadRegion_PartlyOutsideTheSlide_IsWhiteOutsideAndImageInside()
    {
        using var slide = Slide.Open(TestData.Slide("boxes.tiff"));

        // A 100x100 window whose top-left 50x50 lies above and left of the slide.
        var region = slide.ReadRegion(-50, -50, 0, 100, 100);

        Assert.Equal((255, 255, 255), ((int)region[10, 10].R, (int)region[10, 10].G, (int)region[10, 10].B));
        Assert.Equal((255, 255, 255), ((int)region[49, 49].R, (int)region[49, 49].G, (int)region[49, 49].B));
        Assert.Equal((255, 0, 0), ((int)region[90, 90].R, (int)region[90, 90].G, (int)region[90, 90].B)); // (40,40) on the slide
        // Past the right and bottom edges as well.
        var beyond = slide.ReadRegion(290, 240, 0, 20, 20);
        Assert.All(beyond.Pixels.Skip((15 * 20 + 15) * 3).Take(3), v => Assert.Equal(255, v));
    }

    [Fact]
    public void ReadRegion_AtACoarserLevel_UsesThatLevelsPixels()
    {
        using var slide = Slide.Open(TestData.Slide("boxes.tiff"));
        // Level 1 halves everything: level-0 (40,40) red is at level-1 pixel (20,20); read from level-0 origin.
        var level1 = slide.ReadRegion(0, 0, 1, 150, 125);
        Assert.Equal((255, 0, 0), ((int)level1[20, 20].R, (int)level1[20, 20].G, (int)level1[20, 20].B));
        Assert.Equal((0, 255, 0), ((int)level1[125, 100].R, (int)level1[125, 100].G, (int)level1[125, 100].B));
    }

    [Fact]
    public void ReadRegion_FromManyThreadsOnOneHandle_GivesTheSameBytesAsOneThread()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var windows = Enumerable.Range(0, 24).Select(i => (X: (i * 97) % 1900, Y: (i * 131) % 2700)).ToArray();
        var sequential = windows.Select(w => slide.ReadRegion(w.X, w.Y, 0, 224, 224).Pixels).ToArray();

        var parallel = new byte[windows.Length][];
        Parallel.For(0, windows.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => parallel[i] = slide.ReadRegion(windows[i].X, windows[i].Y, 0, 224, 224).Pixels);

        for (var i = 0; i < windows.Length; i++) Assert.Equal(sequential[i], parallel[i]);
    }

    [Fact]
    public void ReadRegion_OnAMissingLevel_NamesTheFileAndLevel()
    {
        using var slide = Slide.Open(TestData.Slide("boxes.tiff"));
        var error = Assert.Throws<SlideException>(() => slide.ReadRegion(0, 0, 7, 10, 10));
        Assert.Contains("boxes.tiff", error.Message);
        Assert.Contains("level 7", error.Message);
    }

    [Theory]
    [InlineData("broken.svs")]
    [InlineData("kidney-48-5-striped.tif")]
    [InlineData("boxes_0.dcm")]
    [InlineData("no-such-slide.svs")]
    public void Open_UnreadableFiles_FailWithTheFileNamed(string name)
    {
        var path = TestData.Slide(name);
        var error = Assert.Throws<SlideException>(() => Slide.Open(path));
        Assert.Equal(path, error.Path);
        Assert.StartsWith(path + ": ", error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    public void Open_ADirectoryOrAnEmptyFile_FailsWithTheReason()
    {
        var dir = TestData.NewTempDir();
        var empty = Path.Combine(dir, "empty.svs");
        File.WriteAllBytes(empty, []);

        Assert.Contains("directory", Assert.Throws<SlideException>(() => Slide.Open(dir)).Message);
        Assert.Contains("empty", Assert.Throws<SlideException>(() => Slide.Open(empty)).Message);
    }

    [Fact]
    public void Open_ATruncatedCopyOfARealSlide_FailsOnOpenOrReadWithTheFileNamed()
    {
        var dir = TestData.NewTempDir();
        var truncated = Path.Combine(dir, "truncated.svs");
        var bytes = File.ReadAllBytes(TestData.Slide("CMU-1-Small-Region.svs"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);

        // The header survives, so OpenSlide may open it; the missing tiles must then fail the read, not the process.
        var error = Assert.Throws<SlideException>(() =>
        {
            using var slide = Slide.Open(truncated);
            slide.ReadRegion(0, 0, 0, 2220, 2967);
        });
        Assert.Contains("truncated.svs", error.Message);
    }

    [Theory]
    [InlineData("0.25", "0.26", null, null, null, 0.25)]
    [InlineData(null, null, "40000", "40000", "centimeter", 0.25)]
    [InlineData(null, null, "101600", "101600", "inch", 0.25)]
    [InlineData(null, null, "40000", "40000", "none", null)]
    [InlineData(null, null, null, null, "inch", null)]
    public void MicronsPerPixel_ComesFromOpenSlideElseTiffTagsElseUnknown(
        string? mppX, string? mppY, string? xres, string? yres, string? unit, double? expectedX)
    {
        var properties = new Dictionary<string, string>();
        if (mppX is not null) properties["openslide.mpp-x"] = mppX;
        if (mppY is not null) properties["openslide.mpp-y"] = mppY;
        if (xres is not null) properties["tiff.XResolution"] = xres;
        if (yres is not null) properties["tiff.YResolution"] = yres;
        if (unit is not null) properties["tiff.ResolutionUnit"] = unit;

        var mpp = Slide.ResolveMicronsPerPixel(properties);

        if (expectedX is null) Assert.Null(mpp);
        else Assert.Equal(expectedX.Value, mpp!.Value.X, 6);
    }
}
