using System.Text.Json;

namespace OrleansPathology.Model;

/// <summary>
/// Saves and loads <see cref="FcnResNet18"/> weights in TorchSharp's own format, with a <see cref="ModelCard"/>
/// sidecar at <c>path + ".json"</c>. Every failure names the file.
/// </summary>
public static class ModelWeights
{
    public static string CardPath(string weightsPath) => weightsPath + ".json";

    public static void Save(FcnResNet18 model, string path, ModelCard card)
    {
        if (Directory.Exists(path)) throw new ModelWeightsException(path, "is a folder; give the weights file to write, e.g. " + System.IO.Path.Combine(path, "model.weights"));
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Write to a temporary name and rename so a reader on shared storage never sees half a file; a failed write
        // leaves nothing behind.
        var temporary = path + ".partial";
        try
        {
            model.save(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            if (File.Exists(temporary)) File.Delete(temporary);
            throw;
        }
        File.WriteAllText(CardPath(path), JsonSerializer.Serialize(card with { ParameterCount = model.ParameterCount() }, ModelCard.Json));
    }

    /// <summary>Reads only the sidecar.</summary>
    public static ModelCard ReadCard(string path)
    {
        var cardPath = CardPath(path);
        if (!File.Exists(cardPath))
            throw new ModelWeightsException(path, $"model card {cardPath} not found (weights are written with a .json sidecar)");
        ModelCard? card;
        try
        {
            card = JsonSerializer.Deserialize<ModelCard>(File.ReadAllText(cardPath), ModelCard.Json);
        }
        catch (JsonException ex)
        {
            throw new ModelWeightsException(cardPath, $"not a valid model card: {ex.Message}", ex);
        }
        if (card is null) throw new ModelWeightsException(cardPath, "model card is empty");
        if (card.Format != ModelCard.CurrentFormat)
            throw new ModelWeightsException(cardPath, $"model card format '{card.Format}' is not '{ModelCard.CurrentFormat}'");
        if (card.Architecture != ModelCard.FcnArchitecture)
            throw new ModelWeightsException(path, $"architecture '{card.Architecture}' is not '{ModelCard.FcnArchitecture}'");
        return card;
    }

    /// <summary>Loads weights into a new model on the CPU in fp32; move and cast it with <see cref="ModelLoader"/>.</summary>
    public static (FcnResNet18 Model, ModelCard Card) Load(string path)
    {
        if (!File.Exists(path)) throw new ModelWeightsException(path, "weights file not found");
        var card = ReadCard(path);
        var model = new FcnResNet18();
        try
        {
            model.load(path, strict: true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            model.Dispose();
            throw new ModelWeightsException(path, $"not a readable {ModelCard.FcnArchitecture} weights file ({ex.GetType().Name}: {ex.Message})", ex);
        }
        return (model, card);
    }
}
