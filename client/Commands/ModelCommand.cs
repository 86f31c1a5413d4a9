using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Model;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath model init|import|export|info</c>: create, import, export and describe weights files.</summary>
internal static class ModelCommand
{
    public static Command Create() => new("model", "Create, import, export and inspect model weights.") { Init(), Import(), Export(), Info() };

    private static Command Init()
    {
        var output = new Option<string>("--out") { Description = "Weights file to write (a .json model card is written beside it).", Required = true };
        var init = new Option<string>("--init") { Description = "random, or imagenet (not yet available).", DefaultValueFactory = _ => "random" };
        var seed = new Option<long>("--seed") { Description = "Random seed for the initial weights.", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("init", "Write a new ResNet18-FCN weights file.") { output, init, seed, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var kind = parse.GetValue(init)!;
            if (kind != "random")
                throw new ArgumentException($"--init {kind}: only 'random' is available; ImageNet weights from the ONNX ResNet18 do not map onto torchvision's ResNet18 (its layer4 has three blocks)");
            var s = parse.GetValue(seed);
            TorchSharp.torch.random.manual_seed(s);
            using var model = new FcnResNet18();
            var path = parse.GetValue(output)!;
            ModelWeights.Save(model, path, new ModelCard { Provenance = new ModelProvenance("random", Seed: s) });
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { path, parameters = model.ParameterCount(), seed = s }, CliJson.Options));
            else Console.WriteLine($"wrote {path} ({model.ParameterCount():N0} parameters)");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Import()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A PyTorch state_dict (.pt/.pth from torch.save, or .safetensors)." };
        var output = new Option<string>("--out") { Description = "Weights file to write.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("import", "Import a MONAI/Clara or TorchVision ResNet18 state_dict.") { checkpoint, output, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var source = parse.GetValue(checkpoint)!;
            using var model = StateDictImport.Import(source);
            var path = parse.GetValue(output)!;
            ModelWeights.Save(model, path, new ModelCard { Provenance = new ModelProvenance("imported", Source: Path.GetFullPath(source)) });
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { source, path }, CliJson.Options));
            else Console.WriteLine($"imported {source} -> {path}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Export()
    {
        var weights = new Argument<string>("weights") { Description = "Weights file (from `opath model init|import` or a training checkpoint)." };
        var format = new Option<string>("--format") { Description = "pytorch (torch.save zip) or safetensors.", DefaultValueFactory = _ => "pytorch" };
        format.AcceptOnlyFromAmong("pytorch", "safetensors");
        var output = new Option<string>("--out") { Description = "File to write (.pt or .safetensors).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("export", "Export weights as a PyTorch state_dict with MONAI TorchVisionFCModel key names.") { weights, format, output, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var source = parse.GetValue(weights)!;
            var (model, _) = ModelWeights.Load(source);
            using (model)
            {
                var path = parse.GetValue(output)!;
                var kind = ModelExport.ParseFormat(parse.GetValue(format)!);
                ModelExport.Export(model, path, kind);
                if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { weights = source, format = kind.ToString().ToLowerInvariant(), path }, CliJson.Options));
                else Console.WriteLine($"exported {source} -> {path} ({kind.ToString().ToLowerInvariant()}, MONAI TorchVisionFCModel resnet18 keys)");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Info()
    {
        var weights = new Argument<string>("weights") { Description = "Weights file." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var command = new Command("info", "Print a weights file's model card and parameter count.") { weights, json };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var path = parse.GetValue(weights)!;
            var (model, card) = ModelWeights.Load(path);
            using (model)
            {
                var counted = model.ParameterCount();
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new { path, card, parameters = counted }, CliJson.Options));
                }
                else
                {
                    Console.WriteLine(path);
                    Console.WriteLine($"  architecture  {card.Architecture} (input {card.InputSize}x{card.InputSize}, output stride {card.OutputStride})");
                    Console.WriteLine($"  parameters    {counted:N0}");
                    Console.WriteLine($"  input         {card.Normalisation}");
                    Console.WriteLine($"  provenance    {card.Provenance.Init}" +
                        (card.Provenance.Seed is { } s ? $", seed {s}" : "") +
                        (card.Provenance.Source is { } src ? $", from {src}" : "") +
                        (card.Provenance.Notes is { } n ? $"; {n}" : ""));
                    foreach (var (k, v) in card.Provenance.Training ?? new Dictionary<string, string>()) Console.WriteLine($"    {k}: {v}");
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
