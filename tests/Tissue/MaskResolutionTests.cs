using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class MaskResolutionTests
{
    [Fact]
    public void A_CAMELYON_pyramid_uses_its_level_6_as_it_is()
    {
        // CAMELYON16 TIFFs halve at every level; Tumor_001 is 97792 x 221184 at level 0.
        var levels = Enumerable.Range(0, 10).Select(i => new SlideLevel(i, 97792 >> i, 221184 >> i, 1 << i)).ToList();
        var chosen = MaskResolution.Choose(levels);
        Assert.False(chosen.Resampled);
        Assert.Equal((6, 64.0, 1528, 3456), (chosen.Level, chosen.Downsample, chosen.Width, chosen.Height));
    }

    [Fact]
    public void An_Aperio_level_near_64_is_used_with_its_own_downsample()
    {
        // Aperio pyramids step by 4, and integer level sizes make the downsamples inexact.
        SlideLevel[] levels = [new(0, 46000, 32914, 1), new(1, 11500, 8228, 4.0002), new(2, 2875, 2057, 16.0011), new(3, 718, 514, 64.0314)];
        var chosen = MaskResolution.Choose(levels);
        Assert.False(chosen.Resampled);
        Assert.Equal((3, 64.0314, 718, 514), (chosen.Level, chosen.Downsample, chosen.Width, chosen.Height));
    }

    [Fact]
    public void Without_a_level_near_64_the_coarsest_level_under_it_is_averaged_to_a_virtual_level_6()
    {
        SlideLevel[] aperio3 = [new(0, 46000, 32914, 1), new(1, 11500, 8228, 4.0002), new(2, 2875, 2057, 16.0011)];
        var chosen = MaskResolution.Choose(aperio3);
        Assert.True(chosen.Resampled);
        Assert.Equal(2, chosen.SourceLevel.Index);
        // ceil(46000 / 64) = 719 (718.75), ceil(32914 / 64) = 515 (514.3): a partial last pixel is kept.
        Assert.Equal((6, 64.0, 719, 515), (chosen.Level, chosen.Downsample, chosen.Width, chosen.Height));

        // A step of 2 either side (32, 128) is out of tolerance: average from 32.
        SlideLevel[] gapped = [new(0, 4096, 4096, 1), new(1, 128, 128, 32), new(2, 32, 32, 128)];
        Assert.Equal(1, MaskResolution.Choose(gapped).SourceLevel.Index);
        Assert.True(MaskResolution.Choose(gapped).Resampled);
    }

    [Fact]
    public void A_single_level_slide_is_averaged_from_level_0()
    {
        var chosen = MaskResolution.Choose([new SlideLevel(0, 2220, 2967, 1)]);
        Assert.True(chosen.Resampled);
        Assert.Equal(0, chosen.SourceLevel.Index);
        Assert.Equal((6, 64.0, 35, 47), (chosen.Level, chosen.Downsample, chosen.Width, chosen.Height));
    }

    [Fact]
    public void Another_power_of_two_target_names_its_own_level()
    {
        SlideLevel[] tcga = [new(0, 4443, 3567, 1), new(1, 2221, 1783, 2.0004)];
        var two = MaskResolution.Choose(tcga, 2);
        Assert.False(two.Resampled);
        Assert.Equal(1, two.Level);

        var eight = MaskResolution.Choose(tcga, 8);
        Assert.Equal((3, 8.0, 556, 446), (eight.Level, eight.Downsample, eight.Width, eight.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaskResolution.Choose(tcga, 48));
    }
}
