using OrleansPathology.Annotations;
using OrleansPathology.Synthesis;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Building a dataset from the synthetic cohort's slides, ASAP XML and tissue masks.</summary>
public sealed class DatasetBuilderTests(TrainingCohortFixture cohort) : IClassFixture<TrainingCohortFixture>
{
    private List<AnnotatedSlide> Slides() => cohort.Manifest.Slides
        .Select(s => new AnnotatedSlide(cohort.PathOf(s.Path), s.Annotation is null ? null : cohort.PathOf(s.Annotation))).ToList();

    [Fact]
    public void Tumour_patches_are_centred_in_tumour_normal_windows_hold_none_and_labels_balance()
    {
        var options = new DatasetBuilderOptions { TumourPatchesPerSlide = 10, Seed = 4 };
        var samples = DatasetBuilder.Sample(Slides(), options, "training");

        var tumour = samples.Where(s => s.Label == 1).ToList();
        var normal = samples.Where(s => s.Label == 0).ToList();
        Assert.Equal(tumour.Count, normal.Count);
        Assert.InRange(tumour.Count, 10, 20); // two tumour slides, up to 10 each
        Assert.Equal("training[0]", samples[0].Origin);
        Assert.Contains(normal, s => cohort.Manifest.Slides.Single(m => cohort.PathOf(m.Path) == s.Image).HasTumour == false);

        var rasters = cohort.Manifest.Slides.Where(s => s.Annotation is not null)
            .ToDictionary(s => cohort.PathOf(s.Path), s => AnnotationRasterizer.Prepare(AsapXml.Read(cohort.PathOf(s.Annotation!)), 1));
        var window = new byte[224 * 224];
        foreach (var s in samples)
        {
            var slide = cohort.Manifest.Slides.Single(m => cohort.PathOf(m.Path) == s.Image);
            Assert.True(DatasetValidator.Inside(s, (slide.Width, slide.Height), 224), s.Describe());
            if (!rasters.TryGetValue(s.Image, out var raster))
            {
                Assert.Equal(0, s.Label);
                continue;
            }
            if (s.Label == 1)
            {
                raster.FillWindow(s.X, s.Y, 1, 1, window);
                Assert.Equal(1, window[0]);
            }
            else
            {
                raster.FillWindow(s.X - 112, s.Y - 112, 224, 224, window);
                Assert.DoesNotContain((byte)1, window);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_dataset_and_another_seed_another()
    {
        var options = new DatasetBuilderOptions { TumourPatchesPerSlide = 6, Seed = 8 };
        var a = DatasetBuilder.Build(Slides()[..2], Slides()[2..], options);
        var b = DatasetBuilder.Build(Slides()[..2], Slides()[2..], options);
        var c = DatasetBuilder.Build(Slides()[..2], Slides()[2..], options with { Seed = 9 });

        Assert.Equal(a.Training, b.Training);
        Assert.Equal(a.Validation, b.Validation);
        Assert.NotEqual(a.Training, c.Training);
        Assert.All(a.Validation, s => Assert.Equal(cohort.PathOf(cohort.Manifest.Slides[2].Path), s.Image));
    }

    [Fact]
    public void A_built_dataset_round_trips_through_dataset_json_and_validates()
    {
        var dataset = DatasetBuilder.Build(Slides(), [], new DatasetBuilderOptions { TumourPatchesPerSlide = 4, Seed = 1 });
        var path = Path.Combine(cohort.Directory, $"built-{Guid.NewGuid():N}.json");
        DatasetWriter.WriteClaraJson(dataset, path);

        var read = DatasetReader.ReadClaraJson(path);

        Assert.Equal(dataset.Training.Select(s => (s.Image, s.X, s.Y, s.Label)), read.Training.Select(s => (s.Image, s.X, s.Y, s.Label)));
        DatasetValidator.Validate(read);
    }

    [Fact]
    public void Synth_dataset_json_reads_and_validates()
    {
        Assert.NotEmpty(cohort.Dataset.Training);
        Assert.NotEmpty(cohort.Dataset.Validation);
        var sizes = DatasetValidator.Validate(cohort.Dataset);
        Assert.All(sizes.Values, size => Assert.Equal((3000L, 2500L), size));
    }
}
