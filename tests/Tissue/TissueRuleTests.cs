using OrleansPathology.Imaging;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class TissueRuleTests
{
    [Theory]
    [InlineData(255, 0, 0, 255)] // pure hue: fully saturated
    [InlineData(200, 200, 200, 0)] // grey
    [InlineData(0, 0, 0, 0)] // black: rgb2hsv defines S = 0 where V = 0
    [InlineData(200, 100, 100, 128)] // (200-100)/200 = 0.5 -> 127.5, rounded half up
    [InlineData(230, 180, 220, 55)] // pale eosin pink: 50/230 * 255 = 55.4
    public void Saturation_is_rgb2hsv_on_a_byte_scale(byte r, byte g, byte b, byte expected) =>
        Assert.Equal(expected, HsvSaturation.Of(r, g, b));

    [Fact]
    public void Each_clause_of_the_NCRF_rule_can_reject_a_pixel()
    {
        var t = new TissueThresholds(Red: 200, Green: 180, Blue: 200, Saturation: 40);
        Assert.True(TissueRule.IsTissue(180, 100, 170, t)); // H&E pink-purple
        Assert.False(TissueRule.IsTissue(235, 225, 232, t)); // pale, unsaturated glass
        Assert.False(TissueRule.IsTissue(250, 190, 250, t)); // saturated, but above all three RGB thresholds
        Assert.False(TissueRule.IsTissue(120, 40, 110, t)); // saturated but green at or below RGB_min 50
        Assert.False(TissueRule.IsTissue(50, 120, 120, t)); // exactly at the floor is not above it
    }

    [Fact]
    public void Thresholds_computed_on_an_image_separate_stain_from_glass()
    {
        // Three quarters glass, one quarter stain, plus a black pen dot: thresholds must fall between the two,
        // and the mask must be the stain alone (the pen fails RGB_min).
        var image = new RgbImage(8, 8);
        for (var y = 0; y < 8; y++)
        for (var x = 0; x < 8; x++)
            image[x, y] = x < 2 ? ((byte)170, (byte)90, (byte)160) : ((byte)240, (byte)238, (byte)242);
        image[7, 7] = (20, 20, 30);

        var t = TissueRule.OtsuThresholds(image);
        Assert.InRange(t.Saturation, HsvSaturation.Of(240, 238, 242), (byte)(HsvSaturation.Of(170, 90, 160) - 1));
        var mask = TissueRule.Apply(image, t);
        for (var y = 0; y < 8; y++)
        for (var x = 0; x < 8; x++)
            Assert.Equal(x < 2 ? TissueRule.Tissue : (byte)0, mask[y * 8 + x]);
        Assert.Equal(0.25, TissueRule.TissueFraction(image, t));
    }
}
