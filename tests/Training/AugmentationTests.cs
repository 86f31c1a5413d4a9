using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Colour jitter (torchvision uint8 semantics), flips, quarter turns and zoom on RGB byte patches.</summary>
public sealed class AugmentationTests
{
    [Fact]
    public void Brightness_scales_and_clamps_then_truncates()
    {
        byte[] rgb = [100, 200, 250, 0, 1, 3];
        ColorJitter.AdjustBrightness(rgb, 1.2);
        // 120, 240, 300 -> 255; 0, 1.2 -> 1, 3.6 -> 3 (truncation, as .to(torch.uint8)).
        Assert.Equal([120, 240, 255, 0, 1, 3], rgb);
    }

    [Fact]
    public void Contrast_blends_with_the_mean_of_the_truncated_grey_image()
    {
        byte[] rgb = [200, 200, 200, 0, 0, 0];
        ColorJitter.AdjustContrast(rgb, 0.5);
        // Grey levels 199 (0.2989*200 + 0.587*200 + 0.114*200 = 199.98 truncated) and 0: mean 99.5.
        // 0.5 * 200 + 0.5 * 99.5 = 149.75 -> 149; 0.5 * 0 + 49.75 -> 49.
        Assert.Equal([149, 149, 149, 49, 49, 49], rgb);
    }

    [Fact]
    public void Saturation_blends_each_pixel_with_its_grey_level()
    {
        byte[] rgb = [200, 100, 50];
        ColorJitter.AdjustSaturation(rgb, 0);
        // Factor 0 is the grey image: 0.2989*200 + 0.587*100 + 0.114*50 = 124.18 -> 124.
        Assert.Equal([124, 124, 124], rgb);

        byte[] vivid = [200, 100, 50];
        ColorJitter.AdjustSaturation(vivid, 2);
        // 2v - 124: 276 -> 255, 76, -24 -> 0.
        Assert.Equal([255, 76, 0], vivid);
    }

    [Fact]
    public void Hue_rotates_colours_and_zero_shift_keeps_every_byte()
    {
        byte[] red = [255, 0, 0, 0, 0, 255];
        ColorJitter.AdjustHue(red, 1.0 / 3);
        Assert.Equal([0, 255, 0, 255, 0, 0], red); // red -> green, blue -> red
        byte[] half = [255, 0, 0];
        ColorJitter.AdjustHue(half, 0.5);
        Assert.Equal([0, 255, 255], half); // complementary: cyan

        var all = Enumerable.Range(0, 256 * 3).Select(i => (byte)(i * 37 % 256)).ToArray();
        var copy = all.ToArray();
        ColorJitter.AdjustHue(copy, 0);
        Assert.Equal(all, copy);
    }

    [Fact]
    public void Jitter_factors_stay_in_the_torchvision_ranges_and_order_is_a_permutation()
    {
        var options = new ColorJitterOptions();
        for (ulong seed = 0; seed < 500; seed++)
        {
            var p = ColorJitter.Sample(options, seed);
            Assert.InRange(p.Brightness!.Value, 0.75, 1.25);
            Assert.InRange(p.Contrast!.Value, 0.25, 1.75);
            Assert.InRange(p.Saturation!.Value, 0.75, 1.25);
            Assert.InRange(p.Hue!.Value, -0.04, 0.04);
            Assert.Equal(Enum.GetValues<ColorJitterOperation>(), p.Order.Order());
        }
        var off = ColorJitter.Sample(options with { Contrast = 0, Hue = 0 }, 1);
        Assert.Null(off.Contrast);
        Assert.Null(off.Hue);
        Assert.Equal(ColorJitter.Sample(options, 1).Brightness, off.Brightness); // switching one off does not shift the others
    }

    [Fact]
    public void Flips_and_quarter_turns_move_pixels_as_numpy_does()
    {
        // 2x2 patch with pixel values 1 2 / 3 4 (each pixel's three channels equal).
        var patch = Patch([1, 2, 3, 4]);
        PatchGeometry.FlipHorizontal(patch, 2);
        Assert.Equal([2, 1, 4, 3], Pixels(patch));

        patch = Patch([1, 2, 3, 4]);
        PatchGeometry.FlipVertical(patch, 2);
        Assert.Equal([3, 4, 1, 2], Pixels(patch));

        patch = Patch([1, 2, 3, 4]);
        PatchGeometry.Rotate90(patch, 2, 1);
        Assert.Equal([2, 4, 1, 3], Pixels(patch)); // np.rot90([[1,2],[3,4]]) == [[2,4],[1,3]]

        patch = Patch([1, 2, 3, 4]);
        PatchGeometry.Rotate90(patch, 2, 2);
        Assert.Equal([4, 3, 2, 1], Pixels(patch));

        patch = Patch([1, 2, 3, 4]);
        PatchGeometry.Rotate90(patch, 2, 3);
        PatchGeometry.Rotate90(patch, 2, 1);
        Assert.Equal([1, 2, 3, 4], Pixels(patch));
    }

    [Fact]
    public void Zoom_keeps_the_size_the_centre_and_a_flat_image()
    {
        const int size = 224;
        var flat = Enumerable.Repeat((byte)137, size * size * 3).ToArray();
        PatchGeometry.Zoom(flat, size, 0.9);
        Assert.All(flat, b => Assert.Equal(137, b)); // edge padding: no black border

        // A horizontal ramp: zooming in by 1.1 flattens it about the centre column.
        var ramp = new byte[size * size * 3];
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        for (var c = 0; c < 3; c++)
            ramp[(y * size + x) * 3 + c] = (byte)x;
        var zoomed = ramp.ToArray();
        PatchGeometry.Zoom(zoomed, size, 1.1);
        Assert.InRange(zoomed[0], 9, 11); // column 0 samples x = 112 + (0.5 - 112) / 1.1 - 0.5 = 10.1
        Assert.InRange(zoomed[112 * 3], 111, 112);
        var same = ramp.ToArray();
        PatchGeometry.Zoom(same, size, 1.0);
        Assert.Equal(ramp, same);
    }

    [Fact]
    public void The_augmenter_is_deterministic_per_seed_keeps_size_and_varies_across_seeds()
    {
        var augmenter = new PatchAugmenter(new AugmentationOptions(), 224);
        var source = Noise(224, seed: 5);

        var a = source.ToArray();
        var b = source.ToArray();
        var drawA = augmenter.Apply(a, 42);
        var drawB = augmenter.Apply(b, 42);
        Assert.Equal(a, b);
        Assert.Equal(drawA.ColorJitter!.Order, drawB.ColorJitter!.Order);
        Assert.Equal(drawA.ColorJitter.Brightness, drawB.ColorJitter.Brightness);
        Assert.Equal(drawA, drawB with { ColorJitter = drawA.ColorJitter }); // the other decisions
        Assert.Equal(224 * 224 * 3, a.Length);

        var changed = Enumerable.Range(0, 20).Select(s => augmenter.Apply(source.ToArray(), (ulong)s)).ToList();
        Assert.Contains(changed, d => d.FlipHorizontal);
        Assert.Contains(changed, d => !d.FlipHorizontal);
        Assert.All(changed, d => Assert.InRange(d.QuarterTurns, 0, 3));
        Assert.All(changed.Where(d => d.Zoom is not null), d => Assert.InRange(d.Zoom!.Value, 0.9, 1.1));
        Assert.Contains(changed, d => d.Zoom is null);
    }

    [Fact]
    public void No_augmentation_leaves_the_patch_alone()
    {
        var augmenter = new PatchAugmenter(AugmentationOptions.None, 224);
        var source = Noise(224, seed: 9);
        var copy = source.ToArray();
        var draw = augmenter.Apply(copy, 123);
        Assert.Equal(source, copy);
        Assert.Equal(new AugmentationDraw(null, false, false, 0, null), draw);
    }

    [Fact]
    public void Seeds_depend_on_run_epoch_and_position()
    {
        var seeds = new HashSet<ulong>
        {
            PatchAugmenter.SeedFor(1, 0, 0), PatchAugmenter.SeedFor(1, 0, 1), PatchAugmenter.SeedFor(1, 1, 0), PatchAugmenter.SeedFor(2, 0, 0),
        };
        Assert.Equal(4, seeds.Count);
        Assert.Equal(PatchAugmenter.SeedFor(1, 3, 7), PatchAugmenter.SeedFor(1, 3, 7));
    }

    [Fact]
    public void Options_reject_impossible_values()
    {
        Assert.Throws<ArgumentException>(() => new PatchAugmenter(new AugmentationOptions { FlipProbability = 1.5 }));
        Assert.Throws<ArgumentException>(() => new PatchAugmenter(new AugmentationOptions { MinZoom = 1.2, MaxZoom = 1.1 }));
        Assert.Throws<ArgumentException>(() => new PatchAugmenter(new AugmentationOptions { ColorJitter = new ColorJitterOptions { Hue = 0.6 } }));
    }

    private static byte[] Patch(byte[] values) => values.SelectMany(v => new[] { v, v, v }).ToArray();

    private static byte[] Pixels(byte[] rgb) => rgb.Where((_, i) => i % 3 == 0).ToArray();

    private static byte[] Noise(int size, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[size * size * 3];
        random.NextBytes(bytes);
        return bytes;
    }
}
