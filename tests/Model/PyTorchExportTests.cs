using System.CommandLine;
using System.Globalization;
using OrleansPathology.Client;
using OrleansPathology.Imaging;
using OrleansPathology.Model;
using OrleansPathology.Tests.Tissue;
using TorchSharp;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

/// <summary>
/// <c>opath model export</c> read by the real PyTorch (Debian's python3-torch): MONAI's TorchVisionFCModel key names
/// load with strict=True into a plain-PyTorch ResNet18-FCN, which gives TorchSharp's probabilities on real CAMELYON16 patches.
/// </summary>
public sealed class PyTorchExportTests
{
    // MONAI's TorchVisionFCModel(model_name="resnet18", num_classes=1, use_conv=True) rebuilt in plain PyTorch
    // (torchvision is not in Debian 12): features = resnet18's children up to layer4, a 7x7 average pool, a 1x1 conv.
    private const string Script = """
        import sys, numpy as np, torch, torch.nn as nn
        class Block(nn.Module):
            def __init__(self, cin, cout, stride):
                super().__init__()
                self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.bn1 = nn.BatchNorm2d(cout)
                self.relu = nn.ReLU(inplace=True)
                self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.bn2 = nn.BatchNorm2d(cout)
                self.downsample = None
                if stride != 1 or cin != cout:
                    self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            def forward(self, x):
                out = self.relu(self.bn1(self.conv1(x)))
                out = self.bn2(self.conv2(out))
                return self.relu(out + (x if self.downsample is None else self.downsample(x)))
        def layer(cin, cout, stride): return nn.Sequential(Block(cin, cout, stride), Block(cout, cout, 1))
        class FC(nn.Module):
            def __init__(self):
                super().__init__()
                self.features = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
                    nn.MaxPool2d(3, 2, 1), layer(64, 64, 1), layer(64, 128, 2), layer(128, 256, 2), layer(256, 512, 2))
                self.pool = nn.AvgPool2d(7, stride=1)
                self.fc = nn.Conv2d(512, 1, 1, bias=True)
            def forward(self, x): return self.fc(self.pool(self.features(x)))
        model = FC()
        state = torch.load(sys.argv[1], map_location="cpu")
        model.load_state_dict(state, strict=True)
        model.eval()
        x = torch.from_numpy(np.load(sys.argv[2]))
        with torch.no_grad():
            p = torch.sigmoid(model(x)).flatten()
        print(" ".join("%.7f" % v for v in p.tolist()))
        """;

    [Fact]
    public void TheExport_LoadsStrictlyInPyTorch_AndGivesTorchSharpsProbabilitiesOnRealPatches()
    {
        var dir = TestData.NewTempDir();
        var weights = Path.Combine(dir, "model.torchsharp");
        random.manual_seed(13);
        using (var model = new FcnResNet18())
        {
            // Running statistics away from (0, 1), so the check covers BatchNorm buffers as inference uses them.
            using (no_grad())
            {
                foreach (var (name, buffer) in model.named_buffers())
                {
                    if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer) * 0.1);
                    if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer) + 0.5);
                }
            }
            ModelWeights.Save(model, weights, new ModelCard { Provenance = new ModelProvenance("random", Seed: 13) });
        }
        var exported = Path.Combine(dir, "model.pt");
        using var stdout = new StringWriter();
        var exit = OpathCommand.Create().Parse(["model", "export", weights, "--format", "pytorch", "--out", exported])
            .Invoke(new InvocationConfiguration { Output = stdout, Error = stdout });
        Assert.True(exit == ExitCodes.Success, stdout.ToString());

        // Eight real patches, tumour and normal, centre 224 of 256.
        var files = Directory.GetFiles(TestData.Patches("camelyon16-didsr/tumor"), "*.png").Order().Take(4)
            .Concat(Directory.GetFiles(TestData.Patches("camelyon16-didsr/normal"), "*.png").Order().Take(4)).ToList();
        var rgb = new byte[files.Count * 224 * 224 * 3];
        for (var i = 0; i < files.Count; i++)
        {
            var image = PngTile.Read(files[i]);
            for (var y = 0; y < 224; y++)
            for (var x = 0; x < 224; x++)
            {
                var (r, g, b) = image[x + 16, y + 16];
                var at = ((i * 224 + y) * 224 + x) * 3;
                (rgb[at], rgb[at + 1], rgb[at + 2]) = (r, g, b);
            }
        }
        using var input = PatchTensor.FromRgb(rgb, files.Count, 224, 224, CPU, ScalarType.Float32);
        var inputPath = Path.Combine(dir, "input.npy");
        NpyFile.WriteFloat32(inputPath, input.shape, input.data<float>().ToArray());

        float[] expected;
        var (loaded, _) = ModelWeights.Load(weights);
        using (loaded)
        using (no_grad())
        {
            loaded.eval();
            using var logits = loaded.forward(input);
            expected = sigmoid(logits).flatten().data<float>().ToArray();
        }
        var actual = Python.Run(Script, exported, inputPath).Trim().Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

        Assert.Equal(files.Count, actual.Length);
        for (var i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) < 1e-4, $"patch {i}: PyTorch {actual[i]}, TorchSharp {expected[i]}");
        Assert.True(expected.Max() - expected.Min() > 1e-3, "the patches should not all score alike");
    }

    [Fact]
    public void TheSafetensorsExport_ImportsBackToTheSameWeights()
    {
        var dir = TestData.NewTempDir();
        var weights = Path.Combine(dir, "model.torchsharp");
        random.manual_seed(4);
        using var model = new FcnResNet18();
        ModelWeights.Save(model, weights, new ModelCard { Provenance = new ModelProvenance("random", Seed: 4) });
        var exported = Path.Combine(dir, "model.safetensors");
        using var stdout = new StringWriter();

        var exit = OpathCommand.Create().Parse(["model", "export", weights, "--format", "safetensors", "--out", exported])
            .Invoke(new InvocationConfiguration { Output = stdout, Error = stdout });

        Assert.True(exit == ExitCodes.Success, stdout.ToString());
        using var imported = StateDictImport.Import(exported);
        var expected = model.state_dict();
        foreach (var (key, tensor) in imported.state_dict()) Assert.True(tensor.allclose(expected[key], rtol: 0, atol: 0), key);
    }
}
