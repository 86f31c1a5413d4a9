using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class OtsuTests
{
    [Fact]
    public void Matches_scikit_image_on_its_own_simple_image()
    {
        // skimage/filters/tests/test_thresholding.py, TestSimpleImage.test_otsu: threshold_otsu(image) == 2,
        // and test_otsu_negative_int: the same image less 2 gives 0 (the threshold moves with the values).
        byte[] image = [0, 0, 1, 3, 5, 0, 1, 4, 3, 4, 1, 2, 5, 4, 1, 2, 4, 5, 2, 1, 4, 5, 1, 0, 0];
        Assert.Equal(2, Otsu.Threshold(image));
        Assert.Equal(102, Otsu.Threshold(image.Select(v => (byte)(v + 100)).ToArray()));
    }

    [Fact]
    public void Splits_a_bimodal_histogram_between_its_modes()
    {
        // Two bell-shaped modes, glass-like at 220 (weight 3) and stain-like at 120 (weight 1), each
        // spread +-10: Otsu must land in the empty valley between them, where a plain mean (145) would not.
        var histogram = new long[256];
        for (var d = -10; d <= 10; d++)
        {
            var weight = 11 - Math.Abs(d);
            histogram[120 + d] += weight;
            histogram[220 + d] += 3 * weight;
        }
        var threshold = Otsu.Threshold(histogram);
        Assert.InRange(threshold, 130, 209);
        // Between two classes with an empty gap the variance is flat, and numpy's argmax keeps the first:
        // the threshold is the top of the lower mode.
        Assert.Equal(130, threshold);
    }

    [Fact]
    public void Breaks_ties_at_the_lowest_value_and_counts_only_the_occupied_range()
    {
        // Worked by hand: t=0 gives 3*3*(0-11/3)^2 = 121; t=1..4 give 4*2*(0.25-5)^2 = 180.5, a tie that
        // argmax resolves to the first, 1. Bins below the lowest value would divide 0 by 0 in skimage's
        // formula; it spans [min, max] to avoid that, and so must we: 200 empty bins below change nothing.
        var histogram = new long[256];
        histogram[0] = 3;
        histogram[1] = 1;
        histogram[5] = 2;
        Assert.Equal(1, Otsu.Threshold(histogram));

        var shifted = new long[256];
        shifted[200] = 3;
        shifted[201] = 1;
        shifted[205] = 2;
        Assert.Equal(201, Otsu.Threshold(shifted));
    }

    [Fact]
    public void An_image_of_one_value_thresholds_at_that_value_so_nothing_is_foreground()
    {
        // skimage test_otsu_one_color_image: np.ones((10, 10), uint8) gives 1.
        Assert.Equal(1, Otsu.Threshold(Enumerable.Repeat((byte)1, 100).ToArray()));
        Assert.Equal(255, Otsu.Threshold(Enumerable.Repeat((byte)255, 7).ToArray()));
    }

    [Fact]
    public void Rejects_an_empty_or_wrongly_sized_histogram()
    {
        Assert.Throws<ArgumentException>(() => Otsu.Threshold(new long[256]));
        Assert.Throws<ArgumentException>(() => Otsu.Threshold(new long[255]));
        Assert.Throws<ArgumentException>(() => Otsu.Threshold(ReadOnlySpan<byte>.Empty));
    }
}
