using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

public sealed class MaskMorphologyTests
{
    [Fact]
    public void Opening_removes_a_line_two_pixels_wide_and_keeps_a_block()
    {
        const int w = 11, h = 8;
        var mask = Parse(w,
            "11110000000",
            "11110000000",
            "11110000000",
            "11110000000",
            "00000000000",
            "00011111111",
            "00011111111",
            "00000000000");
        var opened = MaskMorphology.Open(mask, w, h, 1);
        // The 4x4 block touching the image's corner survives whole (windows are clipped at the edge); the line goes.
        Assert.Equal(16, opened.Count(v => v != 0));
        for (var y = 0; y < 4; y++)
        for (var x = 0; x < 4; x++)
            Assert.Equal(1, opened[y * w + x]);
    }

    [Fact]
    public void Dilation_and_erosion_by_radius_one_grow_and_shrink_a_square_by_one_pixel()
    {
        const int w = 9;
        var mask = new byte[w * w];
        for (var y = 3; y <= 5; y++)
        for (var x = 3; x <= 5; x++)
            mask[y * w + x] = 1;
        Assert.Equal(25, MaskMorphology.Dilate(mask, w, w, 1).Count(v => v != 0));
        var eroded = MaskMorphology.Erode(mask, w, w, 1);
        Assert.Equal(1, eroded.Count(v => v != 0));
        Assert.Equal(1, eroded[4 * w + 4]);
        Assert.Equal(9, MaskMorphology.WindowCounts(mask, w, w, 1)[4 * w + 4]);
        Assert.Equal(1, MaskMorphology.WindowCounts(mask, w, w, 1)[2 * w + 2]); // only (3, 3) in reach of (2, 2)
    }

    [Fact]
    public void Small_enclosed_holes_are_filled_and_large_or_open_ones_are_not()
    {
        const int w = 10;
        var mask = Parse(w,
            "1111111111",
            "1001111111",
            "1001110001",
            "1111110001",
            "1111110001",
            "1111111111",
            "0001111111",
            "0001111111");
        var filled = MaskMorphology.FillHoles(mask, w, 8, 4);
        // The 2x2 hole (4 pixels) is filled; the 3x3 one (9) is too large; the corner touches the edge.
        Assert.Equal(4, filled);
        Assert.Equal(1, mask[1 * w + 1]);
        Assert.Equal(0, mask[2 * w + 7]);
        Assert.Equal(0, mask[7 * w + 0]);
    }

    private static byte[] Parse(int width, params string[] rows) =>
        rows.SelectMany(r => r.PadRight(width, '0')[..width].Select(c => (byte)(c == '1' ? 1 : 0))).ToArray();
}
