using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Model;
using OrleansPathology.Tests.Tissue;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>Patch-folder datasets (PNG patches with labels in a CSV or class folders) on the 57 real CAMELYON16 patches.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class PatchFolderDatasetTests
{
    private static readonly string Didsr = TestData.Patches("camelyon16-didsr");

    [Fact]
    public void TheLabelsCsv_GivesEveryPatch_CentredWithItsLabel()
    {
        var (dataset, hasSplits) = PatchFolderDataset.Read(Didsr);

        Assert.False(hasSplits);
        Assert.Equal(57, dataset.Training.Count);
        Assert.Empty(dataset.Validation);
        Assert.Equal((28, 29), TrainingDataset.Count(dataset.Training));
        Assert.All(dataset.Training, s => Assert.Equal((128L, 128L), (s.X, s.Y)));
        var first = dataset.Training[0];
        Assert.Equal(Path.Combine(Didsr, "normal", "tumor_004_37276_186047.png"), first.Image);
        Assert.Equal("labels.csv:2", first.Origin);
    }

    [Fact]
    public void ClassFolders_UnderSplitFolders_GiveTheTrainingAndValidationLists()
    {
        var root = TestData.NewTempDir("opath-patch-folder");
        foreach (var (split, cls, count) in new[] { ("train", "tumor", 3), ("train", "normal", 2), ("valid", "tumor", 1), ("valid", "normal", 1) })
        {
            var into = Directory.CreateDirectory(Path.Combine(root, split, cls)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(Didsr, cls), "*.png").Order().Take(count)) File.Copy(file, Path.Combine(into, Path.GetFileName(file)));
        }

        var (dataset, hasSplits) = PatchFolderDataset.Read(root);

        Assert.True(hasSplits);
        Assert.Equal((3, 2), TrainingDataset.Count(dataset.Training));
        Assert.Equal((1, 1), TrainingDataset.Count(dataset.Validation));
        Directory.CreateDirectory(Path.Combine(root, "train", "lymphocytes"));
        Assert.Contains("class folder 'lymphocytes'", Assert.Throws<DatasetException>(() => PatchFolderDataset.Read(root)).Message);
    }

    [Fact]
    public void TheSampler_ReadsThePatchesCentreWindow_FromThePng()
    {
        var (dataset, _) = PatchFolderDataset.Read(Didsr);
        DatasetValidator.Validate(dataset);
        using var sampler = new PatchSampler(dataset.Training);

        var batch = sampler.ReadPlain([5]);

        var image = PngTile.Read(dataset.Training[5].Image);
        var rgb = batch.Rgb;
        Assert.Equal(image[16, 16], (rgb[0], rgb[1], rgb[2]));
        var last = (223 * 224 + 223) * 3;
        Assert.Equal(image[239, 239], (rgb[last], rgb[last + 1], rgb[last + 2]));
    }

    [Fact]
    public void EvaluatePatches_TakesTheFolder_AndClassifiesAll57()
    {
        var dir = TestData.NewTempDir("opath-eval-folder");
        var weights = Path.Combine(dir, "model.torchsharp");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());

        var (exit, stdout, stderr) = ConsoleCapture.Run(() => OpathCommand.Create().Parse(["evaluate", "--patches", Didsr, "--weights", weights, "--json"]).Invoke());

        Assert.True(exit == ExitCodes.Success, stderr);
        using var json = JsonDocument.Parse(stdout);
        var accuracy = json.RootElement.GetProperty("patchAccuracy");
        Assert.Equal(57, accuracy.GetProperty("samples").GetInt32());
        Assert.Equal(28, accuracy.GetProperty("tumourSamples").GetInt32());
    }

    [Fact]
    public void OpathTrain_TrainsFromThePatchFolder()
    {
        var dir = TestData.NewTempDir("opath-train-folder");
        var weights = Path.Combine(dir, "model.torchsharp");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = OpathCommand.Create().Parse(["train", Didsr, "--out", weights, "--epochs", "1", "--max-steps", "1", "--batch-size", "4"])
            .Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });

        Assert.True(exit == ExitCodes.Success, stderr.ToString() + stdout);
        Assert.True(File.Exists(weights));
        var written = DatasetReader.ReadClaraJson(Path.Combine(weights + ".run", "dataset.json"));
        Assert.Equal(57, written.Training.Count);
    }
}
