using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class TissueDetectorTests
{
    [Fact]
    public void CMU_1_small_region_is_averaged_to_a_virtual_level_6_and_its_tissue_strip_found()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var result = TissueDetector.Detect(slide);

        // One level of 2220x2967: ceil(2220/64) = 35, ceil(2967/64) = 47, at the virtual level 6.
        Assert.True(result.Resolution.Resampled);
        Assert.Equal((35, 47, 6, 64.0), (result.Mask.Width, result.Mask.Height, result.Mask.Level, result.Mask.Downsample));
        // Seen in the outlined thumbnail: a purple-pink strip of tissue running from the top middle to the
        // bottom left, about a third of the frame's width over its full height, the rest glass; the green
        // outline follows the strip's edge. Measured 0.312; the band allows a few percent either way for a
        // change of JPEG decoder or rounding, and no more: 0.2 would mean the strip lost its edges, 0.45
        // that glass was taken in.
        Assert.InRange(result.TissueFraction, 0.25, 0.40);
        // The glass is the brighter class in every channel and the stain the more saturated one.
        Assert.InRange(result.Thresholds.Saturation, 20, 90);
        Assert.InRange(result.Thresholds.Red, 150, 235);
    }

    [Fact]
    public void TCGA_slide_without_a_level_near_64_is_averaged_from_its_level_1()
    {
        using var slide = Slide.Open(TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs"));
        var result = TissueDetector.Detect(slide);

        Assert.Equal(1, result.Resolution.SourceLevel.Index);
        // 4443x3567 at level 0: ceil(4443/64) = 70, ceil(3567/64) = 56.
        Assert.Equal((70, 56, 6, 64.0), (result.Mask.Width, result.Mask.Height, result.Mask.Level, result.Mask.Downsample));
        // Seen in the outlined thumbnail: one large pink section filling most of the frame, with glass
        // in the corners and along the top and bottom edges and a few small lumina inside, outlined as
        // holes. Measured 0.609; 0.5 to 0.7 brackets that by the same few percent.
        Assert.InRange(result.TissueFraction, 0.50, 0.70);
    }

    [Fact]
    public void Averaged_pixels_are_the_means_of_their_64x64_level_0_blocks()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var result = TissueDetector.Detect(slide);

        // An inner pixel averages a full 64x64 block; the last column averages the 2220 - 34*64 = 44
        // columns the slide has there, not glass beyond its edge.
        AssertBlockMean(slide, result.Image, 10, 20, 64, 64);
        AssertBlockMean(slide, result.Image, 34, 20, 44, 64);
        AssertBlockMean(slide, result.Image, 34, 46, 44, 2967 - 46 * 64);
    }

    [Fact]
    public void An_explicit_level_is_masked_at_its_own_size_and_downsample()
    {
        using var slide = Slide.Open(TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs"));
        var result = TissueDetector.Detect(slide, new TissueMaskOptions { Level = 1 });

        Assert.False(result.Resolution.Resampled);
        Assert.Equal((2221, 1783, 1), (result.Mask.Width, result.Mask.Height, result.Mask.Level));
        Assert.Equal(slide.Levels[1].Downsample, result.Mask.Downsample);
        // The same section at 32x the pixel count: its share of the frame stays in the same band.
        Assert.InRange(result.TissueFraction, 0.40, 0.70);
        var missing = Assert.Throws<SlideException>(() => TissueDetector.Detect(slide, new TissueMaskOptions { Level = 2 }));
        Assert.Contains("no level 2", missing.Message);
    }

    [Fact]
    public void Small_object_removal_only_takes_pixels_away()
    {
        using var slide = Slide.Open(TestData.Slide("TCGA-CR-7395-01A-01-TS1.svs"));
        var all = TissueDetector.Detect(slide);
        var cleaned = TissueDetector.Detect(slide, new TissueMaskOptions { MinObjectSize = 10 });

        Assert.Equal(all.Thresholds, cleaned.Thresholds);
        Assert.True(cleaned.RemovedPixels > 0, "the TCGA mask has specks along the section's ragged right edge");
        Assert.Equal(all.Mask.CountForeground() - cleaned.RemovedPixels, cleaned.Mask.CountForeground());
        for (var i = 0; i < all.Mask.Data.Length; i++)
            Assert.True(cleaned.Mask.Data[i] == 0 || all.Mask.Data[i] != 0);
    }

    [Fact]
    public void The_outline_marks_the_mask_boundary_and_leaves_the_rest_of_the_image()
    {
        var image = new RgbImage(6, 5);
        image.Pixels.AsSpan().Fill(200);
        var mask = new SlideMask(6, 5, 6, 64);
        for (var y = 1; y <= 3; y++)
        for (var x = 1; x <= 5; x++)
            mask[x, y] = 1; // a 5x3 block touching the right edge

        var outlined = MaskOutline.Draw(image, mask);
        for (var y = 0; y < 5; y++)
        for (var x = 0; x < 6; x++)
        {
            // Only (2..4, 2) is interior: its four neighbours are tissue. The right edge counts as boundary.
            var boundary = mask[x, y] != 0 && !(y == 2 && x is >= 2 and <= 4);
            Assert.Equal(boundary ? MaskOutline.Green : ((byte)200, (byte)200, (byte)200), outlined[x, y]);
        }
        Assert.All(image.Pixels, b => Assert.Equal(200, b)); // drawn on a copy
    }

    private static void AssertBlockMean(Slide slide, RgbImage averaged, int maskX, int maskY, int width, int height)
    {
        var block = slide.ReadRegion(maskX * 64L, maskY * 64L, 0, width, height);
        var sums = new long[3];
        for (var i = 0; i < block.Pixels.Length; i++) sums[i % 3] += block.Pixels[i];
        var n = width * height;
        var expected = ((byte)((sums[0] + n / 2) / n), (byte)((sums[1] + n / 2) / n), (byte)((sums[2] + n / 2) / n));
        Assert.Equal(expected, averaged[maskX, maskY]);
    }
}
