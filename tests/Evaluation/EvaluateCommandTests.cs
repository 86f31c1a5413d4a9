using System.Text.Json;
using OrleansPathology.Client;
using OrleansPathology.Evaluation;
using OrleansPathology.Imaging;
using OrleansPathology.Model;

namespace OrleansPathology.Tests.Evaluation;

/// <summary><c>opath evaluate</c> run in-process, as a user would type it.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvaluateCommandTests
{
    [Fact]
    public void Evaluate_PrintsTheScore_AndWritesTheReport()
    {
        var (predictions, truth) = HandMadeInputs();
        var output = Path.Combine(TestData.NewTempDir(), "report");

        var (exit, stdout, stderr) = Run("evaluate", "--predictions", predictions, "--truth", truth, "--out", output);

        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Contains("FROC score 0.6111 over 3 slide(s), 1 with tumour: 2 of 3 region(s) hit, 1 ITC region(s) ignored, 6 false positive(s)", stdout);
        Assert.Contains("slide-level AUC 1.0000", stdout);
        Assert.Contains("1 slide(s) had no truth and were scored as normal", stdout);

        var paths = EvaluationReportPaths.For(output);
        var markdown = File.ReadAllText(paths.Markdown);
        Assert.Contains("**FROC score**: 0.6111", markdown);
        Assert.Contains("| A | tumour | 3 | 1 | 2 | 1 | 2 | 7 | 0.9 |", markdown);
        Assert.Contains("| B | none (normal) | 0 | 0 | 0 | 0 | 3 | 3 | 0.8 |", markdown);

        var regions = File.ReadAllLines(paths.Regions);
        Assert.Equal("slide,label,itc,area_px,major_axis_um,centre_x,centre_y,hit,hit_prob,hit_x,hit_y", regions[0]);
        Assert.Equal(5, regions.Length);
        Assert.StartsWith("A,2,0,", regions[2]);
        Assert.EndsWith(",1,0.7,4496,1296", regions[2]); // region 2 kept the first 0.7 detection, at mask pixel (140, 40)
        Assert.Contains(",0,,,", regions[3]);              // region 3: missed

        var detections = File.ReadAllLines(paths.Detections);
        Assert.Equal(12, detections.Length);
        Assert.Equal("A,0.3,-100,1000,off_slide_false_positive,-1", detections[7]);
        Assert.Equal("B,0.8,5000,5000,false_positive,-1", detections[8]);

        var froc = PngReader.Read(paths.FrocPng);
        Assert.Equal((900, 600), (froc.Width, froc.Height));
        // The curve's data beside the picture: the hand-made cohort reaches 2 of 3 regions.
        var curve = File.ReadAllLines(paths.FrocCsv);
        Assert.Equal("false_positives_per_slide,sensitivity,threshold", curve[0]);
        Assert.Contains(curve.Skip(1), l => l.Split(',')[1] == "0.666667");
        using var json = JsonDocument.Parse(File.ReadAllText(paths.Json));
        Assert.Equal(11.0 / 18, json.RootElement.GetProperty("frocScore").GetDouble(), 12);
    }

    [Fact]
    public void Evaluate_Json_PrintsTheSummary()
    {
        var (predictions, truth) = HandMadeInputs();

        var (exit, stdout, stderr) = Run("evaluate", "--predictions", predictions, "--truth", truth, "--json");

        Assert.True(exit == ExitCodes.Success, stderr);
        using var json = JsonDocument.Parse(stdout);
        var evaluation = json.RootElement.GetProperty("evaluation");
        Assert.Equal(11.0 / 18, evaluation.GetProperty("frocScore").GetDouble(), 12);
        Assert.Equal(6, evaluation.GetProperty("operatingPoints").GetArrayLength());
        Assert.Equal(1.0, evaluation.GetProperty("slideAuc").GetDouble());
        Assert.Equal(3, evaluation.GetProperty("perSlide").GetArrayLength());
        // Without --out the report goes beside the predictions.
        var markdown = json.RootElement.GetProperty("report").GetProperty("markdown").GetString()!;
        Assert.Equal(Path.Combine(predictions, "evaluation", "evaluation.md"), markdown);
        Assert.True(File.Exists(markdown));
    }

    [Fact]
    public void Evaluate_BadInput_ExitsTwoWithOneLineNamingTheProblem()
    {
        var (predictions, truth) = HandMadeInputs();
        var empty = TestData.NewTempDir();

        var (exit, _, stderr) = Run("evaluate", "--predictions", empty, "--truth", truth);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Equal($"opath: {empty}: holds no prediction files (*.csv with prob,X,Y lines, one per slide)", stderr.Trim());

        File.WriteAllText(Path.Combine(predictions, "B.csv"), "0.5,10,10\nnot,a,line\n");
        (exit, _, stderr) = Run("evaluate", "--predictions", predictions, "--truth", truth);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("B.csv:2: expected 'prob,X,Y'", stderr);

        (exit, _, stderr) = Run("evaluate", "--predictions", predictions);
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("--predictions and --truth go together", stderr);
    }

    [Fact]
    public void Evaluate_Patches_ReportsAccuracyOfTheWeights()
    {
        var dir = TestData.NewTempDir("opath-eval-patches");
        var weights = Path.Combine(dir, "model.weights");
        using (var model = new FcnResNet18()) ModelWeights.Save(model, weights, new ModelCard());
        var dataset = PatchAccuracyTests.WriteDataset(dir, [1, 0, 1]);

        var (exit, stdout, stderr) = Run("evaluate", "--patches", dataset, "--weights", weights, "--json");

        Assert.True(exit == ExitCodes.Success, stderr);
        using var json = JsonDocument.Parse(stdout);
        var accuracy = json.RootElement.GetProperty("patchAccuracy");
        Assert.Equal(3, accuracy.GetProperty("samples").GetInt32());
        Assert.Equal(2, accuracy.GetProperty("tumourSamples").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("evaluation").ValueKind);

        (exit, _, stderr) = Run("evaluate", "--patches", dataset, "--weights", weights, "--split", "training");
        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("the training list is empty", stderr);
    }

    /// <summary>The hand-made cohort as files: prediction CSVs and a folder of level-5 truth masks.</summary>
    private static (string Predictions, string Truth) HandMadeInputs()
    {
        var predictions = HandMadeCohort.WritePredictions();
        var truth = TestData.NewTempDir("opath-eval-truth");
        HandMadeCohort.SlideA().Save(Path.Combine(truth, "A.truth.mask"));
        HandMadeCohort.SlideC().Save(Path.Combine(truth, "C.truth.mask"));
        return (predictions, truth);
    }

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args) =>
        ConsoleCapture.Run(() => OpathCommand.Create().Parse(args).Invoke());
}
