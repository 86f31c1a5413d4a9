using System.Collections;
using OrleansPathology.Model;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

public sealed class ModelWeightsTests
{
    [Fact]
    public void SaveLoad_RoundTripsEveryTensorAndTheModelCard()
    {
        var path = Path.Combine(TestData.NewTempDir(), "w.weights");
        random.manual_seed(11);
        using var model = new FcnResNet18();

        ModelWeights.Save(model, path, new ModelCard { Provenance = new ModelProvenance("random", Seed: 11) });
        var (loaded, card) = ModelWeights.Load(path);

        using (loaded)
        {
            Assert.Equal(11, card.Provenance.Seed);
            Assert.Equal(FcnResNet18.ExpectedParameterCount, card.ParameterCount);
            var expected = model.state_dict();
            foreach (var (key, tensor) in loaded.state_dict()) Assert.True(tensor.allclose(expected[key], rtol: 0, atol: 0), key);
        }
    }

    [Fact]
    public void ATruncatedWeightsFile_IsAClearErrorNamingIt()
    {
        var path = Path.Combine(TestData.NewTempDir(), "w.weights");
        using var model = new FcnResNet18();
        ModelWeights.Save(model, path, new ModelCard());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);

        var error = Assert.Throws<ModelWeightsException>(() => ModelWeights.Load(path));
        Assert.StartsWith(path + ": ", error.Message);
    }

    [Fact]
    public void AMissingFileOrCard_AndAForeignCard_AreClearErrors()
    {
        var dir = TestData.NewTempDir();
        var path = Path.Combine(dir, "w.weights");
        Assert.Contains("not found", Assert.Throws<ModelWeightsException>(() => ModelWeights.Load(path)).Message);

        File.WriteAllText(path, "not weights");
        Assert.Contains("model card", Assert.Throws<ModelWeightsException>(() => ModelWeights.Load(path)).Message);

        File.WriteAllText(ModelWeights.CardPath(path), """{"format":"orleans-pathology-model/1","architecture":"densenet121"}""");
        Assert.Contains("densenet121", Assert.Throws<ModelWeightsException>(() => ModelWeights.Load(path)).Message);
    }

    [Theory]
    [InlineData("monai")]
    [InlineData("torchvision")]
    [InlineData("dataparallel")]
    [InlineData("wrapped")]
    public void StateDictImport_MapsEveryKeyOfACheckpointWrittenInPyTorchFormat(string layout)
    {
        random.manual_seed(5);
        using var source = new FcnResNet18();
        var table = new Hashtable();
        foreach (var (key, tensor) in source.state_dict())
        {
            var name = layout switch
            {
                "torchvision" => TorchVisionName(key),
                "dataparallel" => "module." + key,
                _ => key,
            };
            // TorchVision's classifier is a Linear layer: store fc.weight as [1, 512].
            table[name] = layout == "torchvision" && key == "fc.weight" ? tensor.reshape(1, 512) : tensor;
        }
        if (layout == "wrapped") table = new Hashtable { ["model"] = table, ["epoch"] = 3 };
        var path = Path.Combine(TestData.NewTempDir(), "checkpoint.pt");
        PyTorchPickler.PickleStateDict(path, table);

        using var imported = StateDictImport.Import(path);

        var expected = source.state_dict();
        foreach (var (key, tensor) in imported.state_dict()) Assert.True(tensor.allclose(expected[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void StateDictImport_ReadsSafetensorsWithMonaiKeys()
    {
        random.manual_seed(9);
        using var source = new FcnResNet18();
        var path = Path.Combine(TestData.NewTempDir(), "model.safetensors");
        Safetensors.SaveStateDict(path, source.state_dict());

        using var imported = StateDictImport.Import(path);

        var expected = source.state_dict();
        foreach (var (key, tensor) in imported.state_dict()) Assert.True(tensor.allclose(expected[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void StateDictImport_RefusesACheckpointOfAnotherNetwork()
    {
        var table = new Hashtable { ["classifier.weight"] = zeros(10, 1024), ["features.0.weight"] = zeros(64, 3, 7, 7) };
        var path = Path.Combine(TestData.NewTempDir(), "densenet.pt");
        PyTorchPickler.PickleStateDict(path, table);

        var error = Assert.Throws<ModelWeightsException>(() => StateDictImport.Import(path));
        Assert.Contains("densenet.pt", error.Message);
        Assert.Contains("missing", error.Message);
        Assert.Contains("classifier.weight", error.Message);
    }

    [Fact]
    public void StateDictImport_OfAFileThatIsNotACheckpoint_NamesIt()
    {
        var path = Path.Combine(TestData.NewTempDir(), "notes.pt");
        File.WriteAllText(path, "hello");
        Assert.StartsWith(path + ": ", Assert.Throws<ModelWeightsException>(() => StateDictImport.Import(path)).Message);
    }

    private static readonly string[] Children = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];

    private static string TorchVisionName(string key)
    {
        if (!key.StartsWith("features.", StringComparison.Ordinal)) return key;
        var rest = key["features.".Length..];
        var dot = rest.IndexOf('.');
        return Children[int.Parse(rest[..dot])] + rest[dot..];
    }
}
