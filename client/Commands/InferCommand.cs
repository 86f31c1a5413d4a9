using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;
using Spectre.Console;

namespace OrleansPathology.Client.Commands;

/// <summary><c>opath infer SLIDE --weights W --out DIR</c>: score one slide in this process, with a progress bar.</summary>
internal static class InferCommand
{
    public static Command Create()
    {
        var slideArg = new Argument<string>("slide") { Description = "The slide to score." };
        var weights = new Option<string>("--weights") { Description = "Model weights (from `opath model init|import` or training).", Required = true };
        var mask = new Option<string?>("--mask") { Description = "Tissue mask: .mask or .npy from `opath mask`, or a NCRF/numpy .npy; computed when absent." };
        var tissue = TissueOption.Create();
        var stride = new Option<int>("--stride") { Description = "Level-0 pixels per map cell.", DefaultValueFactory = _ => 64 };
        var mode = new Option<string>("--mode") { Description = "dense (shared computation) or patch (MONAI reference).", DefaultValueFactory = _ => "dense" };
        mode.AcceptOnlyFromAmong("dense", "patch");
        var device = new Option<string>("--device") { Description = "cpu or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var precision = new Option<string>("--precision") { Description = "fp32, bf16 (CPU) or fp16 (CUDA).", DefaultValueFactory = _ => "fp32" };
        var regionCells = new Option<int>("--region-cells") { Description = "Dense mode: largest region side in cells (larger computes fewer halo pixels; each region's pixels are held while it is read and computed).", DefaultValueFactory = _ => new InferenceOptions().RegionCells };
        var contextMargin = new Option<int>("--context-margin") { Description = "Dense mode: level-0 pixels of real context around each region (multiple of 32; 0 = none).", DefaultValueFactory = _ => new InferenceOptions().ContextMargin };
        var bandRows = new Option<int>("--band-rows") { Description = $"Dense mode: input rows computed at a time (memory per forward pass; the map does not depend on it). 0: {BatchComputer.DefaultBandRows} on a CPU, {BatchComputer.CudaBandRows} on a GPU." };
        var convolutions = new Option<string?>("--convolutions") { Description = "Dense mode: direct (libtorch's) or winograd (NNPACK's, CPU float32; maps within 1e-5 of direct's). Default: winograd where it runs, else direct." };
        var output = new Option<string>("--out") { Description = "Folder for the map, heatmap and lesions CSV.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of text (the progress bar stays on stderr)." };
        var command = new Command("infer", "Score one slide in-process: probability map, heatmap and lesions.")
        {
            slideArg, weights, mask, tissue, stride, mode, device, precision, output, regionCells, contextMargin, bandRows, convolutions, json,
        };
        command.SetAction((parse, token) => CliErrors.RunAsync(async () =>
        {
            var options = new InferenceOptions
            {
                Stride = parse.GetValue(stride), Mode = parse.GetValue(mode) == "patch" ? InferenceMode.Patch : InferenceMode.Dense,
                RegionCells = parse.GetValue(regionCells), ContextMargin = parse.GetValue(contextMargin),
            };
            options.Validate();
            var computeDevice = ComputeDevice.Parse(parse.GetValue(device)!, parse.GetValue(precision)!);
            var denseConvolutions = parse.GetValue(convolutions) is { } algorithm
                ? ConvolutionAlgorithms.Parse(algorithm)
                : BatchComputer.DefaultDenseConvolutionsFor(computeDevice);
            BatchComputer.EnsureDenseConvolutions(computeDevice, denseConvolutions);
            using var slide = Slide.Open(parse.GetValue(slideArg)!);
            var tissueMask = parse.GetValue(mask) is { } maskPath
                ? SlideMask.LoadFor(maskPath, slide.Dimensions.Width, slide.Dimensions.Height)
                : TissueDetector.Detect(slide, new TissueMaskOptions { Method = TissueOption.Parse(parse.GetValue(tissue)) }).Mask;
            var load = Stopwatch.StartNew();
            var rows = parse.GetValue(bandRows);
            if (rows < 0) throw new ArgumentException($"band rows must be positive, or 0 for the device's default (got {rows})");
            using var computer = new BatchComputer(ModelWeights.Load(parse.GetValue(weights)!).Model, computeDevice)
            {
                BandRows = rows > 0 ? rows : BatchComputer.DefaultBandRowsFor(computeDevice),
                DenseConvolutions = denseConvolutions,
            };
            var loadSeconds = load.Elapsed.TotalSeconds;

            var clock = Stopwatch.StartNew();
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            ProbabilityMap map = null!;
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Path.GetFileName(slide.Path));
                    var progress = new Progress<InferenceProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.CellsTotal);
                        task.Value = p.CellsDone;
                        task.Description = $"{Path.GetFileName(slide.Path)} {p.CellsDone}/{p.CellsTotal} cells";
                    });
                    map = await SlideInference.RunAsync(slide, tissueMask, computer, options, progress, token);
                    task.Value = task.MaxValue;
                });
            var seconds = clock.Elapsed.TotalSeconds;

            var outDir = parse.GetValue(output)!;
            var lesions = InferenceOutputs.Write(outDir, slide, map);
            var paths = InferenceOutputPaths.For(outDir, slide.Path);
            var cells = map.ComputedCount();
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    slide = slide.Path,
                    cells,
                    seconds,
                    mode = options.Mode.ToString().ToLowerInvariant(),
                    device = computeDevice.ToString(),
                    convolutions = options.Mode == InferenceMode.Dense ? ConvolutionAlgorithms.Name(computer.DenseConvolutions) : "direct",
                    lesions = lesions.Count,
                    maxProbability = MaxOf(map),
                    outputs = paths,
                }, CliJson.Options));
                return ExitCodes.Success;
            }
            var algorithmNote = options.Mode == InferenceMode.Dense ? $" ({ConvolutionAlgorithms.Name(computer.DenseConvolutions)} convolutions)" : "";
            Console.WriteLine($"{slide.Path}: {cells} cells in {seconds:0.0} s ({cells / Math.Max(seconds, 1e-9):0.0} cells/s, {options.Mode}{algorithmNote}, {computeDevice}; model loaded in {loadSeconds:0.0} s)");
            Console.WriteLine($"  {lesions.Count} lesion(s) above {LesionDetector.DefaultThreshold}; max probability {MaxOf(map):0.###}");
            Console.WriteLine($"  map      {paths.Map}, {paths.MapNpy}");
            Console.WriteLine($"  lesions  {paths.Lesions}");
            Console.WriteLine($"  heatmap  {paths.Heatmap}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static float MaxOf(ProbabilityMap map) => map.Values.Where(v => !float.IsNaN(v)).DefaultIfEmpty(0).Max();
}
