using OrleansPathology.Imaging;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class FadedInkTests
{
    [Theory]
    [InlineData(212, 154, 149)] // red marker under the mountant beyond a cover slip's edge (the "all" scene, seed 5)
    [InlineData(228, 161, 170)] // the blurred pink halo of no-tissue-red-pen.png's strokes, hue 352
    [InlineData(157, 93, 100)] // red marker over a bubble rim
    public void Faded_red_ink_is_neither_ink_on_its_own_nor_anything_but_a_candidate(int r, int g, int b)
    {
        Assert.Equal(ArtefactColour.None, PenInk.Of((byte)r, (byte)g, (byte)b));
        Assert.True(FadedInk.IsCandidate((byte)r, (byte)g, (byte)b));
    }

    [Theory]
    [InlineData(226, 150, 190)] // eosin, hue 328
    [InlineData(140, 95, 168)] // haematoxylin
    [InlineData(123, 99, 131)] // CMU-1's dull purple at 64x
    [InlineData(238, 218, 231)] // faint eosin
    [InlineData(242, 240, 243)] // glass
    [InlineData(195, 32, 48)] // red marker itself: PenInk's already
    public void Stains_glass_and_sure_ink_are_not_candidates(int r, int g, int b) =>
        Assert.False(FadedInk.IsCandidate((byte)r, (byte)g, (byte)b));

    [Fact]
    public void A_faded_stroke_joined_to_red_ink_is_left_out_and_the_same_colour_alone_stays_tissue()
    {
        // 64x32 of glass: a red stroke (columns 4-7) running into a faded one (8-27) on rows 10-13, and a patch of the
        // faded colour touching no ink (rows 22-29, columns 40-55), with an eosin section (rows 20-31, columns 4-30)
        // so the image has stained tissue to threshold.
        var image = new RgbImage(64, 32);
        for (var y = 0; y < 32; y++)
        for (var x = 0; x < 64; x++)
        {
            (byte, byte, byte) colour = (y, x) switch
            {
                ( >= 10 and <= 13, >= 4 and <= 7) => (195, 40, 55),
                ( >= 10 and <= 13, >= 8 and <= 27) => (212, 154, 149),
                ( >= 22 and <= 29, >= 40 and <= 55) => (212, 154, 149),
                ( >= 20, >= 4 and <= 30) => (226, 150, 190),
                _ => (242, 240, 243),
            };
            var i = (y * 64 + x) * 3;
            (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = colour;
        }
        var thresholds = ArtefactAwareRule.Thresholds(image);
        var mask = ArtefactAwareRule.Apply(image, thresholds);
        var without = ArtefactAwareRule.Apply(image, thresholds, new ArtefactAwareSteps(FadedInk: false));

        Assert.Equal(0, mask[12 * 64 + 20]); // the faded stroke
        Assert.Equal(1, without[12 * 64 + 20]); // which the rule took for tissue before
        Assert.Equal(1, mask[25 * 64 + 47]); // the lone patch of that colour
        Assert.Equal(1, mask[25 * 64 + 15]); // the eosin section
    }

    [Fact]
    public void The_scene_with_every_artefact_keeps_IoU_095_on_every_benchmark_seed()
    {
        // bench/tissue.sh's scenes (256x256, seeds 1-5). Seed 5 drew its red ring beyond the cover slip, under the
        // yellow mountant: faded to pink, it was kept as tissue (IoU 0.934) before the faded-ink hysteresis.
        for (var seed = 1; seed <= 5; seed++)
        {
            var scene = ArtefactScene.Draw(SlideArtefact.All, 256, 256, seed);
            var iou = MaskAgreement.IoU(TissueDetector.Detect(scene.Image), scene.Truth);
            Assert.True(iou >= 0.95, $"seed {seed}: IoU {iou:0.000} with the truth");
        }
    }
}
