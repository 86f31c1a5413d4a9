using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Validation against the real CMU-1-Small-Region.svs (2220x2967): missing slides and windows outside the slide.</summary>
public sealed class DatasetValidatorTests
{
    private static readonly string Cmu = TestData.Slide("CMU-1-Small-Region.svs");

    [Fact]
    public void Entries_whose_windows_lie_inside_pass_and_sizes_come_back()
    {
        // Corner cases: the window may touch every edge.
        var dataset = new TrainingDataset([Sample(112, 112), Sample(2220 - 112, 2967 - 112)], [Sample(1000, 1000)], "d.json");

        var sizes = DatasetValidator.Validate(dataset);

        Assert.Equal((2220L, 2967L), sizes[Cmu]);
    }

    [Fact]
    public void A_window_past_the_edge_names_entry_image_location_and_how_many_more()
    {
        var dataset = new TrainingDataset([Sample(1000, 1000), Sample(111, 500, "training[1]"), Sample(2200, 2900, "training[2]")], [], "d.json");

        var error = Assert.Throws<DatasetException>(() => DatasetValidator.Validate(dataset));

        Assert.Equal("training[1]", error.Entry!.Origin);
        Assert.Contains($"d.json: training[1] (image {Cmu}, location [111, 500])", error.Message);
        Assert.Contains("[-1, 223) x [388, 612) is not inside the 2220x2967 slide", error.Message);
        Assert.Contains("1 more entry is outside", error.Message);
    }

    [Fact]
    public void A_missing_slide_names_the_first_entry_using_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.tif");
        var dataset = new TrainingDataset([Sample(500, 500)], [new TrainingSample(missing, 500, 500, 1, "validation[0]"), new TrainingSample(missing, 600, 600, 0, "validation[1]")], "d.json");

        var error = Assert.Throws<DatasetException>(() => DatasetValidator.Validate(dataset));

        Assert.Contains($"validation[0] (image {missing}, location [500, 500]): slide file {missing} not found (1 other entry uses it too)", error.Message);
    }

    [Fact]
    public void An_unreadable_slide_is_named_with_openslides_reason()
    {
        var dataset = new TrainingDataset([new TrainingSample(TestData.Slide("broken.svs"), 500, 500, 1, "training[0]")], [], "d.json");
        var error = Assert.Throws<DatasetException>(() => DatasetValidator.Validate(dataset));
        Assert.Contains("training[0]", error.Message);
        Assert.Contains("slide cannot be opened", error.Message);
    }

    private static TrainingSample Sample(long x, long y, string origin = "training[0]") => new(Cmu, x, y, 1, origin);
}
