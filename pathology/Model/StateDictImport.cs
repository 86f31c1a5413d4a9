using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace OrleansPathology.Model;

/// <summary>
/// Imports a PyTorch <c>state_dict</c> (<c>torch.save</c> zip format, or safetensors) into <see cref="FcnResNet18"/>,
/// so a MONAI or Clara checkpoint runs here. Accepted key layouts:
/// MONAI TorchVisionFCModel (<c>features.N.*</c>, <c>fc.*</c> as a 1x1 conv; ours too),
/// plain TorchVision ResNet18 (<c>conv1.*</c>, <c>layer1.*</c>, ...; a linear <c>fc</c> with one output is reshaped to 1x1),
/// each optionally behind <c>module.</c> (DataParallel) or <c>model.</c>, and checkpoints that wrap the
/// dictionary under a <c>model</c> or <c>state_dict</c> entry.
/// </summary>
public static class StateDictImport
{
    // TorchVision ResNet child names, in the order MONAI's NetAdapter numbers them inside `features`.
    private static readonly string[] TorchVisionChildren = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4"];

    /// <summary>Reads a checkpoint and returns a model holding its weights, with the key mapping applied.</summary>
    public static FcnResNet18 Import(string path)
    {
        if (!File.Exists(path)) throw new ModelWeightsException(path, "checkpoint not found");
        var raw = ReadTensors(path);
        try
        {
            var model = new FcnResNet18();
            try
            {
                LoadInto(model, raw, path);
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var tensor in raw.Values) tensor.Dispose();
        }
    }

    /// <summary>Maps checkpoint keys to ours and copies every tensor; any missing, unexpected or mis-shaped key is an error.</summary>
    public static void LoadInto(FcnResNet18 model, IReadOnlyDictionary<string, Tensor> checkpoint, string path)
    {
        var target = model.state_dict();
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var (key, value) in checkpoint)
        {
            var ours = MapKey(key);
            if (ours is null || !target.ContainsKey(ours)) unexpected.Add(key);
            else mapped[ours] = value;
        }

        var missing = target.Keys.Where(k => !mapped.ContainsKey(k)).ToList();
        if (unexpected.Count > 0 || missing.Count > 0)
        {
            throw new ModelWeightsException(path,
                $"checkpoint does not match {ModelCard.FcnArchitecture}: " +
                (missing.Count > 0 ? $"{missing.Count} missing key(s) (first: {string.Join(", ", missing.Take(3))}) " : "") +
                (unexpected.Count > 0 ? $"{unexpected.Count} unexpected key(s) (first: {string.Join(", ", unexpected.Take(3))})" : ""));
        }

        using var _ = no_grad();
        foreach (var (key, destination) in target)
        {
            var source = mapped[key];
            // TorchVision's classifier is Linear(512, 1): the same numbers as our Conv2d(512, 1, 1).
            if (key == "fc.weight" && source.dim() == 2) source = source.reshape(destination.shape);
            if (!source.shape.SequenceEqual(destination.shape))
                throw new ModelWeightsException(path, $"'{key}' has shape [{string.Join(",", source.shape)}], expected [{string.Join(",", destination.shape)}]");
            destination.copy_(source.to(destination.dtype));
        }
    }

    /// <summary>Our key for a checkpoint key, or null when it has no place in the model.</summary>
    public static string? MapKey(string key)
    {
        foreach (var prefix in new[] { "module.", "model." })
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) key = key[prefix.Length..];
        }
        if (key.StartsWith("features.", StringComparison.Ordinal) || key.StartsWith("fc.", StringComparison.Ordinal)) return key;

        var dot = key.IndexOf('.');
        if (dot < 0) return null;
        var child = Array.IndexOf(TorchVisionChildren, key[..dot]);
        return child < 0 ? null : $"features.{child}{key[dot..]}";
    }

    private static Dictionary<string, Tensor> ReadTensors(string path)
    {
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return new Dictionary<string, Tensor>(Safetensors.LoadStateDict(path));

            return Flatten(PyTorchUnpickler.UnpickleStateDict(path));
        }
        catch (ModelWeightsException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ModelWeightsException(path, $"not a readable PyTorch state_dict ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    // A MONAI CheckpointSaver file is {"model": state_dict, "optimizer": ...}; Lightning-style is {"state_dict": ...}.
    private static Dictionary<string, Tensor> Flatten(Hashtable table)
    {
        foreach (var wrapper in new[] { "model", "state_dict" })
        {
            if (table[wrapper] is Hashtable inner) return Flatten(inner);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && entry.Value is Tensor tensor) result[key] = tensor;
        }
        return result;
    }
}
