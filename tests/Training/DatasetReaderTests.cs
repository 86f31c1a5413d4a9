using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Clara dataset.json and NCRF coordinate files: the accepted layouts and the errors that name the entry.</summary>
public sealed class DatasetReaderTests : IDisposable
{
    private readonly string _dir = TestData.NewTempDir("opath-dataset");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_single_and_listed_locations_with_paths_relative_to_the_file()
    {
        var path = Write("""
            {
              "training": [
                {"image": "slides/a.tif", "location": [1000, 2000], "label": [1]},
                {"image": "slides/b.tif", "location": [[300, 400], [500, 600.0]], "label": [0, 1]},
                {"image": "/abs/c.tif", "location": [7, 8], "label": 0}
              ],
              "validation": [
                {"image": "slides/a.tif", "location": [1100, 2100], "label": [0]}
              ]
            }
            """);

        var dataset = DatasetReader.ReadClaraJson(path);

        Assert.Equal(4, dataset.Training.Count);
        Assert.Equal(new TrainingSample(Path.Combine(_dir, "slides", "a.tif"), 1000, 2000, 1, "training[0]"), dataset.Training[0]);
        Assert.Equal(new TrainingSample(Path.Combine(_dir, "slides", "b.tif"), 300, 400, 0, "training[1].location[0]"), dataset.Training[1]);
        Assert.Equal(new TrainingSample(Path.Combine(_dir, "slides", "b.tif"), 500, 600, 1, "training[1].location[1]"), dataset.Training[2]);
        Assert.Equal("/abs/c.tif", dataset.Training[3].Image);
        Assert.Equal(0, dataset.Training[3].Label);
        Assert.Single(dataset.Validation);
        Assert.Equal(path, dataset.Source);
    }

    [Theory]
    [InlineData("""{"training": [{"image": "a.tif", "location": [1, 2], "label": [2]}]}""", "training[0] (a.tif) has label 2")]
    [InlineData("""{"training": [{"image": "a.tif", "location": [[1, 2], [3, 4]], "label": [1]}]}""", "training[0] (a.tif) has 2 location(s) but 1 label(s)")]
    [InlineData("""{"training": [{"image": "a.tif", "location": [1, 2, 3], "label": [1]}]}""", "training[0]: location [1, 2, 3] is not an [x, y] pair")]
    [InlineData("""{"training": [{"image": "a.tif", "location": [1.5, 2], "label": [1]}]}""", "training[0]: location value 1.5 is not an integer")]
    [InlineData("""{"training": [{"location": [1, 2], "label": [1]}]}""", "training[0] has no \"image\" string")]
    [InlineData("""{"training": [], "validation": [{"image": "a.tif", "label": [1]}]}""", "validation[0] has no \"location\" array")]
    [InlineData("""{"training": {"image": "a.tif"}}""", "\"training\" is a JSON Object, expected an array")]
    [InlineData("""{"other": []}""", "has neither a \"training\" nor a \"validation\" entry")]
    [InlineData("""{"training": [""", "not valid JSON")]
    public void Malformed_entries_are_errors_naming_file_and_entry(string json, string expected)
    {
        var path = Write(json);
        var error = Assert.Throws<DatasetException>(() => DatasetReader.ReadClaraJson(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Reads_the_real_ncrf_coordinate_files_with_labels_from_their_names()
    {
        var slides = Path.Combine(_dir, "camelyon");
        var tumour = DatasetReader.ReadNcrfCoords(TestData.Annotation("ncrf-coords/tumor_valid.txt"), slides);
        var normal = DatasetReader.ReadNcrfCoords(TestData.Annotation("ncrf-coords/normal_valid.txt"), slides);

        Assert.Equal(20000, tumour.Count);
        Assert.Equal(20000, normal.Count);
        Assert.All(tumour, s => Assert.Equal(1, s.Label));
        Assert.All(normal.Take(100), s => Assert.Equal(0, s.Label));
        // First line of tumor_valid.txt: Tumor_106,35081,33425.
        Assert.Equal(new TrainingSample(Path.Combine(slides, "Tumor_106.tif"), 35081, 33425, 1, "tumor_valid.txt:1"), tumour[0]);
    }

    [Fact]
    public void Ncrf_label_may_be_given_and_bad_lines_name_their_number()
    {
        var path = Path.Combine(_dir, "coords.txt");
        File.WriteAllText(path, "Slide_1,10,20\n\nSlide_2.tif,30,40\n");
        Assert.Contains("cannot tell the label", Assert.Throws<DatasetException>(() => DatasetReader.ReadNcrfCoords(path, _dir)).Message);

        var samples = DatasetReader.ReadNcrfCoords(path, _dir, label: 1);
        Assert.Equal([Path.Combine(_dir, "Slide_1.tif"), Path.Combine(_dir, "Slide_2.tif")], samples.Select(s => s.Image));
        Assert.Equal("coords.txt:3", samples[1].Origin);

        File.WriteAllText(path, "Slide_1,10,20\nSlide_2,x,40\n");
        var error = Assert.Throws<DatasetException>(() => DatasetReader.ReadNcrfCoords(path, _dir, label: 0));
        Assert.Contains("line 2 \"Slide_2,x,40\"", error.Message);
    }

    [Fact]
    public void Written_dataset_reads_back_the_same()
    {
        TrainingSample[] training = [new(Path.Combine(_dir, "s", "a.tif"), 500, 600, 1, "training[0]"), new(Path.Combine(_dir, "s", "b.tif"), 700, 800, 0, "training[1]")];
        var path = Path.Combine(_dir, "out", "dataset.json");
        DatasetWriter.WriteClaraJson(new TrainingDataset(training, [], "test"), path);

        Assert.Contains("\"../s/a.tif\"", File.ReadAllText(path));
        var read = DatasetReader.ReadClaraJson(path);
        Assert.Equal(training, read.Training);
        Assert.Empty(read.Validation);
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"dataset-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }
}
