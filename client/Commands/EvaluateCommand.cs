using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using OrleansPathology.Evaluation;
using OrleansPathology.Model;
using OrleansPathology.Training;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath evaluate --predictions DIR --truth DIR</c>: the CAMELYON16 lesion-level FROC and the slide-level AUC of a
/// folder of <c>prob,X,Y</c> CSVs, with a Markdown report, the FROC curve as PNG and per-slide hits and misses; and/or
/// <c>--patches dataset.json --weights W</c>: patch accuracy of a model on a labelled patch list.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var predictions = new Option<string?>("--predictions")
        {
            Description = "Folder of lesion CSVs (prob,X,Y in level-0 pixels), one per slide, named {slide id}.csv as `opath infer` and `opath submit` write them.",
        };
        var truth = new Option<string?>("--truth")
        {
            Description = "Ground truth: a cohort of `opath synth` (folder or cohort.json), a folder of level-5 masks ({id}.truth.mask, {id}.mask, {id}.npy), "
                + "of official CAMELYON16 mask TIFFs ({id}_Mask.tif), or of CAMELYON16 XML / NCRF JSON annotations ({id}.xml). Slides with predictions but no truth are normal.",
        };
        var slides = new Option<string?>("--slides")
        {
            Description = "Folder of the slides ({id}.*), for the level-0 size and resolution of annotated slides; else a sidecar {id}.slide.json {\"width\",\"height\",\"micronsPerPixel\"} beside the annotation.",
        };
        var mpp = new Option<double>("--mpp")
        {
            Description = "Level-0 microns per pixel: the official one (every slide, by default), or that of slides whose resolution nothing states (--resolution slide).",
            DefaultValueFactory = _ => CamelyonProtocol.ReferenceMicronsPerPixel,
        };
        var resolution = new Option<string>("--resolution")
        {
            Description = "official: convert the protocol's micrometres at --mpp (0.243) for every slide, as Evaluation_FROC.py; slide: at each slide's own um/px. The report names which.",
            DefaultValueFactory = _ => "official",
        };
        resolution.AcceptOnlyFromAmong("official", "slide");
        var output = new Option<string?>("--out") { Description = "Folder for the report; default {predictions}/evaluation." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of text." };
        var patches = new Option<string?>("--patches")
        {
            Description = "Labelled patches to classify: a dataset.json (Clara/MONAI layout), or a patch folder (class subfolders tumor/ normal/, or labels.csv with file,label) of PNGs.",
        };
        var weights = new Option<string?>("--weights") { Description = "Model weights for --patches." };
        var split = new Option<string>("--split") { Description = "Which list of --patches: validation or training.", DefaultValueFactory = _ => "validation" };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N, for --patches.", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 (CPU) or fp16 (CUDA), for --patches.", DefaultValueFactory = _ => "fp32" };
        var batch = new Option<int>("--batch-size") { Description = "Patches per forward pass, for --patches.", DefaultValueFactory = _ => 64 };

        var command = new Command("evaluate", "Score lesion predictions by the CAMELYON16 FROC protocol (and slide AUC), and/or a model's patch accuracy.")
        {
            predictions, truth, slides, mpp, resolution, output, json, patches, weights, split, device, precision, batch,
        };
        command.SetAction((parse, token) => CliErrors.RunAsync(async () =>
        {
            var (predictionsDir, truthPath) = (parse.GetValue(predictions), parse.GetValue(truth));
            var (patchList, weightsPath) = (parse.GetValue(patches), parse.GetValue(weights));
            if ((predictionsDir is null) != (truthPath is null))
                throw new ArgumentException("--predictions and --truth go together");
            if ((patchList is null) != (weightsPath is null))
                throw new ArgumentException("--patches and --weights go together");
            if (predictionsDir is null && patchList is null)
                throw new ArgumentException("nothing to evaluate: give --predictions DIR --truth DIR, and/or --patches dataset.json --weights W");

            PatchAccuracyResult? accuracy = null;
            if (patchList is not null)
            {
                var samples = PatchList(patchList, parse.GetValue(split)!);
                var computeDevice = ComputeDevice.Parse(parse.GetValue(device)!, parse.GetValue(precision)!);
                accuracy = await PatchAccuracy.MeasureAsync(weightsPath!, samples, computeDevice, parse.GetValue(batch), token);
            }

            FrocResult? result = null;
            EvaluationReportPaths? report = null;
            if (predictionsDir is not null)
            {
                var truthSet = TruthSet.Load(truthPath!, new TruthOptions
                {
                    SlidesDirectory = parse.GetValue(slides),
                    DefaultMicronsPerPixel = Positive(parse.GetValue(mpp)),
                    Resolution = parse.GetValue(resolution) == "slide" ? TruthResolution.Slide : TruthResolution.Official,
                });
                var reportDir = parse.GetValue(output) ?? Path.Combine(predictionsDir, "evaluation");
                // The report's CSVs would be read as slides' predictions by the next evaluation of that folder.
                if (string.Equals(Path.GetFullPath(reportDir).TrimEnd('/'), Path.GetFullPath(predictionsDir).TrimEnd('/'), StringComparison.Ordinal))
                    throw new ArgumentException($"--out {reportDir} is the predictions folder; write the report elsewhere (default {{predictions}}/evaluation)");
                result = FrocEvaluator.Evaluate(PredictionFiles.Read(predictionsDir), truthSet);
                report = EvaluationReport.Write(reportDir, result, accuracy);
            }

            if (parse.GetValue(json)) PrintJson(result, report, accuracy);
            else PrintText(result, report, accuracy);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static IReadOnlyList<TrainingSample> PatchList(string path, string split)
    {
        try
        {
            if (PatchFolderDataset.IsPatchDataset(path))
            {
                // A folder that names no splits is evaluated whole.
                var (folder, hasSplits) = PatchFolderDataset.Read(path);
                if (!hasSplits) return folder.Training;
            }
            var dataset = DatasetReader.Read(path);
            var samples = split.Trim().ToLowerInvariant() switch
            {
                "validation" => dataset.Validation,
                "training" => dataset.Training,
                _ => throw new ArgumentException($"--split '{split}' is neither validation nor training"),
            };
            if (samples.Count == 0) throw new ArgumentException($"{path}: the {split} list is empty");
            return samples;
        }
        catch (DatasetException ex)
        {
            // Reported like every other bad input: one line naming the file.
            throw new InvalidDataException(ex.Message, ex);
        }
    }

    private static double Positive(double mpp) =>
        mpp > 0 && double.IsFinite(mpp) ? mpp : throw new ArgumentException($"--mpp {mpp.ToString(CultureInfo.InvariantCulture)} is not a positive number");

    private static void PrintText(FrocResult? result, EvaluationReportPaths? report, PatchAccuracyResult? accuracy)
    {
        var output = Console.Out;
        if (result is not null)
        {
            var score = result.Score is { } s ? s.ToString("0.0000", CultureInfo.InvariantCulture) : "undefined (no counted tumour region)";
            output.WriteLine(FormattableString.Invariant($"FROC score {score} over {result.Slides.Count} slide(s), {result.TumourSlides} with tumour: {result.HitRegions} of {result.CountedRegions} region(s) hit, {result.IsolatedTumourCellRegions} ITC region(s) ignored, {result.FalsePositives} false positive(s)"));
            output.WriteLine("  sensitivity at " + string.Join(", ", result.OperatingPoints.Select(p => FormattableString.Invariant($"{p.FalsePositivesPerSlide:0.##} FP: {p.Sensitivity:0.000}"))));
            output.WriteLine($"  resolution: {result.ResolutionRule}");
            output.WriteLine("slide-level AUC " + (result.SlideAuc is { } auc ? auc.ToString("0.0000", CultureInfo.InvariantCulture) : "undefined (needs tumour and normal slides)"));
            if (result.SlidesWithoutTruth > 0) output.WriteLine($"  {result.SlidesWithoutTruth} slide(s) had no truth and were scored as normal");
            if (result.TruthWithoutPredictions.Count > 0) output.WriteLine($"  not evaluated (truth but no predictions): {string.Join(", ", result.TruthWithoutPredictions)}");
        }
        if (accuracy is not null)
            output.WriteLine(FormattableString.Invariant($"patch accuracy {accuracy.Accuracy:0.0000} ({accuracy.Correct} of {accuracy.Samples}; tumour {accuracy.TumourCorrect}/{accuracy.TumourSamples}, normal {accuracy.NormalCorrect}/{accuracy.NormalSamples}; mean loss {accuracy.MeanLoss:0.0000})"));
        if (report is not null)
            output.WriteLine($"report {report.Markdown} (+ {Path.GetFileName(report.FrocPng)}, {Path.GetFileName(report.Regions)}, {Path.GetFileName(report.Detections)}, {Path.GetFileName(report.Json)})");
    }

    private static void PrintJson(FrocResult? result, EvaluationReportPaths? report, PatchAccuracyResult? accuracy)
    {
        var document = new
        {
            evaluation = result is null ? null : EvaluationSummary.Of(result, accuracy),
            patchAccuracy = accuracy,
            report,
        };
        Console.Out.WriteLine(JsonSerializer.Serialize(document, EvaluationSummary.Json));
    }
}
