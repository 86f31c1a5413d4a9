using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath dataset SLIDE... --annotations DIR --out dataset.json [--validation SLIDE...] [--tumour-patches N] [--seed S]</c>:
/// a balanced, seeded Clara-style dataset.json (<see cref="DatasetBuilder"/>): tumour patches centred inside each slide's
/// tumour outlines (<c>DIR/NAME.xml</c>, ASAP XML as CAMELYON16 ships them; a slide without one is normal), as many normal
/// patches from tissue whose window holds no tumour. Training and validation lists are split by slide.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var slides = new Argument<string[]>("slides") { Description = "Training slides.", Arity = ArgumentArity.ZeroOrMore };
        var annotations = new Option<string?>("--annotations") { Description = "Folder of ASAP XML annotations named after the slides (tumor_001.tif -> tumor_001.xml)." };
        var validation = new Option<string[]>("--validation") { Description = "Validation slides (repeat the option or list several).", AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "The dataset.json to write (image paths relative to it)." };
        var patches = new Option<string?>("--tumour-patches") { Description = "Tumour patches per annotated slide (normal patches balance them). Default 64." };
        var seed = new Option<string?>("--seed") { Description = "Seed: the same slides, annotations and options give the same file. Default 0." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of text." };
        var command = new Command("dataset", "Build a balanced training dataset.json from slides and their tumour annotations.")
        {
            slides, annotations, validation, output, patches, seed, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            if (parse.UnmatchedTokens.Count > 0) throw new ArgumentException($"unexpected argument(s): {string.Join(' ', parse.UnmatchedTokens)}");
            var training = parse.GetValue(slides) ?? [];
            if (training.Length == 0) throw new ArgumentException("at least one training slide is required: opath dataset SLIDE... --annotations DIR --out dataset.json");
            var path = parse.GetValue(output) ?? throw new ArgumentException("--out dataset.json is required");
            var folder = parse.GetValue(annotations);
            if (folder is not null && !Directory.Exists(folder)) throw new DirectoryNotFoundException($"annotation folder {folder} not found");
            var options = new DatasetBuilderOptions
            {
                TumourPatchesPerSlide = parse.GetValue(patches) is { } p
                    ? int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= DatasetBuilderOptions.MaxTumourPatchesPerSlide ? n
                        : throw new ArgumentException($"--tumour-patches must be a whole number from 1 to {DatasetBuilderOptions.MaxTumourPatchesPerSlide} (patches per annotated slide; got '{p}')")
                    : 64,
                Seed = parse.GetValue(seed) is { } s
                    ? ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new ArgumentException($"--seed must be a whole number (got '{s}')")
                    : 0,
            };
            List<AnnotatedSlide> Annotated(IEnumerable<string> list) => list.Select(slide =>
            {
                if (!File.Exists(slide)) throw new FileNotFoundException($"slide {slide} not found", slide);
                var xml = folder is null ? null : Path.Combine(folder, Path.GetFileNameWithoutExtension(slide) + ".xml");
                return new AnnotatedSlide(slide, xml is not null && File.Exists(xml) ? xml : null);
            }).ToList();

            TrainingDataset dataset;
            try
            {
                var train = Annotated(training);
                if (train.All(s => s.AnnotationPath is null))
                    throw new ArgumentException($"no training slide has an annotation in {folder ?? "(no --annotations folder)"}: there would be no tumour patches");
                dataset = DatasetBuilder.Build(train, Annotated(parse.GetValue(validation) ?? []), options);
            }
            catch (DatasetException ex)
            {
                stderr.WriteLine($"opath dataset: {ex.Message}");
                return ExitCodes.Failure;
            }
            if (dataset.Training.Count == 0) throw new ArgumentException("the slides gave no patches (no tumour inside tissue, or no tissue outside tumour)");
            DatasetWriter.WriteClaraJson(dataset, path);
            var (tumour, normal) = TrainingDataset.Count(dataset.Training);
            var (validTumour, validNormal) = TrainingDataset.Count(dataset.Validation);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    dataset = path,
                    training = new { patches = dataset.Training.Count, tumour, normal },
                    validation = new { patches = dataset.Validation.Count, tumour = validTumour, normal = validNormal },
                }, CliJson.Options));
                return ExitCodes.Success;
            }
            stdout.WriteLine($"{path}: training {dataset.Training.Count} patches ({tumour} tumour, {normal} normal), validation {dataset.Validation.Count} ({validTumour} tumour, {validNormal} normal)");
            return ExitCodes.Success;
        }));
        return command;
    }
}
