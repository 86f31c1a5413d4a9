using System.Text.Json;
using OrleansPathology.Evaluation;
using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>Patch accuracy on real patches of CMU-1-Small-Region.svs, read through a dataset.json.</summary>
public sealed class PatchAccuracyTests
{
    [Fact]
    public async Task FlippingEveryLabel_FlipsEveryVerdict()
    {
        // Whatever the (random) network predicts, each patch is right under exactly one of two opposite labellings.
        int[] labels = [1, 0, 1, 1, 0, 0];
        var dir = TestData.NewTempDir("opath-patch-accuracy");
        var original = DatasetReader.ReadClaraJson(WriteDataset(dir, labels, "original.json")).Validation;
        var flipped = DatasetReader.ReadClaraJson(WriteDataset(dir, labels.Select(l => 1 - l).ToArray(), "flipped.json")).Validation;
        using var model = new FcnResNet18();
        var device = new ComputeDevice("cpu", Precision.Fp32);

        var a = await PatchAccuracy.MeasureAsync(model, original, device, batchSize: 4);
        var b = await PatchAccuracy.MeasureAsync(model, flipped, device, batchSize: 4);

        Assert.Equal((6, 3, 3), (a.Samples, a.TumourSamples, a.NormalSamples));
        Assert.Equal(6, a.Correct + b.Correct);
        Assert.Equal(a.TumourCorrect, b.NormalSamples - b.NormalCorrect);
        Assert.Equal(a.Correct, a.TumourCorrect + a.NormalCorrect);
        Assert.Equal(b.Correct, b.TumourCorrect + b.NormalCorrect);
        Assert.Equal(1.0, a.Accuracy + b.Accuracy, 12);
    }

    /// <summary>A Clara-style dataset.json whose validation list holds one patch per label on CMU-1-Small-Region.svs.</summary>
    internal static string WriteDataset(string dir, int[] labels, string name = "dataset.json")
    {
        // Centres well inside the 2220 x 2967 slide, so every 224 x 224 window is on it.
        var validation = labels.Select((label, i) => new
        {
            image = TestData.Slide("CMU-1-Small-Region.svs"),
            location = new[] { 300 + 300 * (i % 5), 400 + 500 * (i / 5) },
            label,
        });
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, JsonSerializer.Serialize(new { training = Array.Empty<object>(), validation }));
        return path;
    }
}
