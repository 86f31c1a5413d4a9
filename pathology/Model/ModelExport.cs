using System.Collections;
using TorchSharp.PyBridge;

namespace OrleansPathology.Model;

/// <summary>The file formats weights are exported to, for PyTorch and MONAI users.</summary>
public enum ExportFormat
{
    /// <summary><c>torch.save</c> zip of a state_dict: <c>torch.load</c> then <c>load_state_dict</c>.</summary>
    PyTorch,

    /// <summary>Hugging Face safetensors: <c>safetensors.torch.load_file</c>.</summary>
    Safetensors,
}

/// <summary>
/// Writes a model's state_dict for PyTorch: the key names are MONAI's <c>TorchVisionFCModel(model_name="resnet18",
/// num_classes=1, use_conv=True)</c>, the bundle's network (<c>features.0.weight</c> ... <c>features.7.1.bn2.num_batches_tracked</c>,
/// <c>fc.weight</c> [1, 512, 1, 1], <c>fc.bias</c>), so <c>load_state_dict(strict=True)</c> takes it whole.
/// </summary>
public static class ModelExport
{
    public static ExportFormat ParseFormat(string text) => text.ToLowerInvariant() switch
    {
        "pytorch" or "pt" or "torch" => ExportFormat.PyTorch,
        "safetensors" => ExportFormat.Safetensors,
        _ => throw new ArgumentException($"--format {text}: expected pytorch or safetensors"),
    };

    public static void Export(FcnResNet18 model, string path, ExportFormat format)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var state = model.state_dict();
        var temporary = path + ".partial";
        if (format == ExportFormat.Safetensors)
        {
            Safetensors.SaveStateDict(temporary, state);
        }
        else
        {
            var table = new Hashtable();
            foreach (var (key, tensor) in state) table[key] = tensor;
            PyTorchPickler.PickleStateDict(temporary, table);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
