using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>What <c>opath synth</c> writes, read back through the real readers: OpenSlide, the ASAP XML reader, the mask loader.</summary>
public sealed class CohortOutputTests(CohortFixture cohort) : IClassFixture<CohortFixture>
{
    private const int TruthDownsample = 32;

    [Fact]
    public void OpenSlide_reads_every_slide_as_generic_tiff_with_nine_levels_and_0243_mpp_from_the_tiff_tags()
    {
        Assert.Equal(3, cohort.Manifest.Slides.Count);
        foreach (var entry in cohort.Manifest.Slides)
        {
            using var slide = Slide.Open(cohort.PathOf(entry.Path));
            Assert.Equal("generic-tiff", slide.Vendor);
            Assert.Equal((3000L, 2500L), slide.Dimensions);
            Assert.Equal(9, slide.Levels.Count); // downsample 1 .. 256
            Assert.Equal((188L, 157L), (slide.Levels[4].Width, slide.Levels[4].Height));
            Assert.Equal((12L, 10L), (slide.Levels[8].Width, slide.Levels[8].Height));
            Assert.Equal("256", slide.Properties["openslide.level[0].tile-width"]);
            var mpp = slide.MicronsPerPixel!.Value;
            Assert.Equal(ResolutionSource.TiffTags, mpp.Source);
            Assert.Equal(0.243, mpp.X, 6);
            Assert.Equal(0.243, mpp.Y, 6);
            Assert.Equal("centimeter", slide.Properties["tiff.ResolutionUnit"]);
        }
    }

    [Fact]
    public void Level_zero_read_back_matches_the_renderer_within_jpeg_error_and_level_two_is_its_mean()
    {
        foreach (var entry in cohort.Manifest.Slides)
        {
            var expected = Render(entry);
            using var slide = Slide.Open(cohort.PathOf(entry.Path));
            var actual = slide.ReadRegion(0, 0, 0, 3000, 2500);
            Assert.InRange(MeanAbsoluteError(expected.Pixels, actual.Pixels), 0, 3.0);

            // Sanity of the measure itself: the same comparison one tile row off is far worse.
            var shifted = slide.ReadRegion(0, 256, 0, 3000, 2500);
            Assert.True(MeanAbsoluteError(expected.Pixels, shifted.Pixels) > 8);

            // Level 2 is level 0 halved twice: close to the 4x4 mean of the rendered pixels.
            var level2 = slide.ReadRegion(0, 0, 2, 750, 625);
            double error = 0;
            for (var y = 0; y < 625; y++)
            for (var x = 0; x < 750; x++)
            for (var c = 0; c < 3; c++)
            {
                var sum = 0;
                for (var dy = 0; dy < 4; dy++)
                for (var dx = 0; dx < 4; dx++) sum += expected.Pixels[((4 * y + dy) * 3000 + 4 * x + dx) * 3 + c];
                error += Math.Abs(sum / 16.0 - level2.Pixels[(y * 750 + x) * 3 + c]);
            }
            // One JPEG generation, as level 0 (each level is halved from the unencoded one above), but denser detail per pixel.
            Assert.InRange(error / (750 * 625 * 3), 0, 4.0);
        }
    }

    [Fact]
    public void Some_slides_have_tumour_and_some_do_not_and_only_tumour_slides_have_xml()
    {
        var slides = cohort.Manifest.Slides;
        Assert.Equal(2, slides.Count(s => s.HasTumour)); // round(0.6 * 3)
        foreach (var s in slides)
        {
            Assert.Equal(s.HasTumour, s.Annotation is not null);
            Assert.Equal(s.HasTumour, File.Exists(cohort.PathOf($"annotations/{s.Id}.xml")));
            Assert.Equal(s.HasTumour, s.TumourRegions > 0);
            if (s.HasTumour) Assert.Equal(s.TumourRegions, AsapXml.Read(cohort.PathOf(s.Annotation!)).Tumour.Count);
        }
    }

    [Fact]
    public void Truth_masks_are_the_xml_rasterised_again_and_tumour_lies_in_tissue_that_the_pixels_show()
    {
        foreach (var entry in cohort.Manifest.Slides)
        {
            var truth = SlideMask.Load(cohort.PathOf(entry.TruthMask));
            Assert.Equal((94, 79, 5, 32.0), (truth.Width, truth.Height, truth.Level, truth.Downsample));
            var annotations = entry.HasTumour ? AsapXml.Read(cohort.PathOf(entry.Annotation!)) : SlideAnnotations.Empty;
            var again = AnnotationRasterizer.Rasterize(annotations, entry.Width, entry.Height, 5, 32);
            Assert.Equal(again.Data, truth.Data);
            Assert.Equal(entry.HasTumour, truth.CountForeground() > 0);

            var tissue = SlideMask.Load(cohort.PathOf(entry.TissueMask));
            using var slide = Slide.Open(cohort.PathOf(entry.Path));
            var level5 = slide.ReadRegion(0, 0, 5, 94, 79);
            for (var y = 0; y < truth.Height; y++)
            for (var x = 0; x < truth.Width; x++)
            {
                if (truth[x, y] == 0) continue;
                Assert.Equal(1, tissue[x, y]);
                // Not glass (about 235-245 in every channel): both stains absorb green, so stained tissue is low in it.
                Assert.True(level5[x, y].G < 200, $"{entry.Id}: truth pixel ({x},{y}) looks like glass: {level5[x, y]}");
            }

            // The preview is the mask in black and white.
            Assert.True(File.Exists(cohort.PathOf($"masks/{entry.Id}.truth.png")));
        }
    }

    [Fact]
    public void Dataset_labels_agree_with_the_truth_masks_are_balanced_and_come_from_train_slides_only()
    {
        var dataset = JsonSerializer.Deserialize<PatchDataset>(File.ReadAllText(cohort.PathOf("dataset.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var bySlide = cohort.Manifest.Slides.ToDictionary(s => s.Path);
        Assert.NotEmpty(dataset.Training);
        Assert.NotEmpty(dataset.Validation);
        foreach (var part in new[] { dataset.Training, dataset.Validation })
            Assert.Equal(part.Count(e => e.Label[0] == 1), part.Count(e => e.Label[0] == 0));

        var half = PatchDataset.PatchSize / 2;
        var truths = new Dictionary<string, (SlideMask Truth, SlideMask Tissue, AnnotationRaster? Level0)>();
        foreach (var entry in dataset.Training.Concat(dataset.Validation))
        {
            var slide = bySlide[entry.Image];
            Assert.Equal(CohortSplits.Train, slide.Split);
            if (!truths.TryGetValue(entry.Image, out var masks))
            {
                var annotations = slide.HasTumour ? AsapXml.Read(cohort.PathOf(slide.Annotation!)) : null;
                masks = (SlideMask.Load(cohort.PathOf(slide.TruthMask)), SlideMask.Load(cohort.PathOf(slide.TissueMask)),
                    annotations is null ? null : AnnotationRasterizer.Prepare(annotations, 1.0));
                truths[entry.Image] = masks;
            }
            var (x, y) = (entry.Location[0], entry.Location[1]);
            Assert.InRange(x, half, slide.Width - half);
            Assert.InRange(y, half, slide.Height - half);
            var label = entry.Label.Single();
            Assert.Equal(label, masks.Truth[(int)(x / TruthDownsample), (int)(y / TruthDownsample)]);
            var centre = new byte[1];
            masks.Level0?.FillWindow(x, y, 1, 1, centre);
            Assert.Equal(label, centre[0]);
            if (label == 0)
            {
                Assert.Equal(1, masks.Tissue[(int)(x / TruthDownsample), (int)(y / TruthDownsample)]);
                var patch = new byte[PatchDataset.PatchSize * PatchDataset.PatchSize];
                masks.Level0?.FillWindow(x - half, y - half, PatchDataset.PatchSize, PatchDataset.PatchSize, patch);
                Assert.DoesNotContain((byte)1, patch);
            }
        }
        Assert.Contains(dataset.Training, e => !bySlide[e.Image].HasTumour); // normal slides give normal patches too
    }

    [Fact]
    public void Cohort_json_lists_every_slide_with_relative_paths_that_exist_and_a_train_test_split()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(cohort.PathOf("cohort.json")));
        var root = json.RootElement;
        Assert.Equal("synth-11", root.GetProperty("id").GetString());
        var slides = root.GetProperty("slides").EnumerateArray().ToList();
        Assert.Equal(["synth_000", "synth_001", "synth_002"], slides.Select(s => s.GetProperty("id").GetString()));
        foreach (var s in slides)
        {
            foreach (var key in new[] { "path", "truthMask", "tissueMask", "thumbnail" })
            {
                var relative = s.GetProperty(key).GetString()!;
                Assert.False(Path.IsPathRooted(relative));
                Assert.True(File.Exists(cohort.PathOf(relative)), relative);
            }
            Assert.Equal(0.243, s.GetProperty("mppX").GetDouble());
            Assert.Equal(3000, s.GetProperty("width").GetInt64());
            Assert.Equal(2500, s.GetProperty("height").GetInt64());
            Assert.Contains(s.GetProperty("split").GetString(), new[] { "train", "test" });
        }
        Assert.Contains(slides, s => s.GetProperty("split").GetString() == "test");
        Assert.Contains(slides, s => s.GetProperty("split").GetString() == "train" && s.GetProperty("hasTumour").GetBoolean());
    }

    private RgbImage Render(CohortSlide entry)
    {
        var blueprint = BlueprintGenerator.Create(cohort.Options.Seed, int.Parse(entry.Id[^3..]), entry.Id, entry.Width, entry.Height, entry.HasTumour);
        var tumour = entry.HasTumour ? AsapXml.Read(cohort.PathOf(entry.Annotation!)) : SlideAnnotations.Empty;
        var renderer = new HeTileSource(new SlideTexture(blueprint, tumour)).CreateRenderer();
        var image = new RgbImage((int)entry.Width, (int)entry.Height);
        var tile = new byte[256 * 256 * 3];
        for (var ty = 0; ty < entry.Height; ty += 256)
        for (var tx = 0; tx < entry.Width; tx += 256)
        {
            renderer.Render(tx, ty, 256, tile);
            for (var y = 0; y < 256 && ty + y < entry.Height; y++)
            {
                var width = (int)Math.Min(256, entry.Width - tx);
                tile.AsSpan(y * 256 * 3, width * 3).CopyTo(image.Pixels.AsSpan((int)(((ty + y) * entry.Width + tx) * 3)));
            }
        }
        return image;
    }

    private static double MeanAbsoluteError(byte[] a, byte[] b)
    {
        long total = 0;
        for (var i = 0; i < a.Length; i++) total += Math.Abs(a[i] - b[i]);
        return (double)total / a.Length;
    }
}
