using System.CommandLine;
using OrleansPathology.Bench;
using OrleansPathology.Inference;
using OrleansPathology.Model;

// opath-bench: benchmarks of the inference engine. Each prints Markdown rows; bench/*.sh run them under /usr/bin/time -v.
NativeRuntimeSettings.Apply();
var slide = new Argument<string>("slide") { Description = "A slide OpenSlide reads (our synthetic slides: bench/run-all.sh makes one)." };
var threads = new Option<int>("--threads") { Description = "libtorch intra-op threads (torch.set_num_threads); 0 keeps TorchSharp's default.", DefaultValueFactory = _ => 0 };
var weights = new Option<string?>("--weights") { Description = "Trained FcnResNet18 weights (with their .json card); default: random weights, seed 1." };

var patches = new Option<int>("--patches") { Description = "224x224 reads per case.", DefaultValueFactory = _ => 400 };
var regions = new Option<int>("--regions") { Description = "Large-region reads per case.", DefaultValueFactory = _ => 12 };
var regionSide = new Option<int>("--region-side") { Description = "Side of the large regions in pixels.", DefaultValueFactory = _ => 2048 };
var decodeTiles = new Option<int>("--decode-tiles") { Description = "Level-0 tissue tiles decoded per case.", DefaultValueFactory = _ => 1500 };
var seed = new Option<int>("--seed") { Description = "Seed of the random locations.", DefaultValueFactory = _ => 1 };
var read = new Command("read", "Level-0 read throughput through OpenSlide against the raw JPEG decode rate of the slide's tiles.")
{
    slide, patches, regions, regionSide, decodeTiles, seed,
};
read.SetAction(parse => Report(() => ReadBenchmark.Run(new ReadBenchmark.Settings(parse.GetValue(slide)!, parse.GetValue(patches),
    parse.GetValue(regions), parse.GetValue(regionSide), parse.GetValue(decodeTiles), parse.GetValue(seed)))));

var rounds = new Option<int>("--rounds") { Description = "Rounds of every case, each between two raw decodes.", DefaultValueFactory = _ => 15 };
var ratioDecodeTiles = new Option<int>("--decode-tiles") { Description = "Level-0 tissue tiles in each raw decode.", DefaultValueFactory = _ => 400 };
var readRatios = new Command("read-ratios", "The fast path's read rate over the raw tile-decode rate: median and quartiles over many short rounds.")
{
    slide, regions, regionSide, ratioDecodeTiles, rounds, seed,
};
readRatios.SetAction(parse => Report(() => ReadRatios.Run(new ReadRatios.Settings(parse.GetValue(slide)!, parse.GetValue(regions),
    parse.GetValue(regionSide), parse.GetValue(ratioDecodeTiles), parse.GetValue(rounds), parse.GetValue(seed)))));

var strides = new Option<string>("--strides") { Description = "Comma-separated strides.", DefaultValueFactory = _ => "64,32" };
var precisions = new Option<string>("--precisions") { Description = "Comma-separated precisions (fp32, bf16).", DefaultValueFactory = _ => "fp32,bf16" };
var patchCells = new Option<int>("--patch-cells") { Description = "Cells scored in patch mode per stride and precision.", DefaultValueFactory = _ => 1000 };
var denseCells = new Option<int>("--dense-cells") { Description = "About this many cells scored in dense mode (whole batches spread over the tissue).", DefaultValueFactory = _ => 6000 };
var regionCells = new Option<int>("--region-cells") { Description = "Dense region side in cells (InferenceOptions.RegionCells).", DefaultValueFactory = _ => new InferenceOptions().RegionCells };
var patchesPerBatch = new Option<int>("--patches-per-batch") { Description = "Patch-mode batch size (InferenceOptions.PatchesPerBatch).", DefaultValueFactory = _ => new InferenceOptions().PatchesPerBatch };
var contextMargin = new Option<int>("--context-margin") { Description = "Dense context margin in pixels (InferenceOptions.ContextMargin).", DefaultValueFactory = _ => new InferenceOptions().ContextMargin };
var foldBatchNorm = new Option<string>("--fold-bn") { Description = "Comma-separated: true (batch norm folded into the convolutions, inference's default), false (as trained).", DefaultValueFactory = _ => "true" };
var denseConvolutions = new Option<string?>("--convolutions") { Description = "Comma-separated dense 3x3 convolution algorithms: direct (oneDNN), winograd (NNPACK); default: BatchComputer's for the device." };
var canonicalShapes = new Option<string>("--canonical-shapes") { Description = "Comma-separated: true (regions widened to canonical sizes), false (InferenceOptions' default).", DefaultValueFactory = _ => "false" };
var bandRows = new Option<int>("--band-rows") { Description = "Input rows a dense region is computed in at a time (BatchComputer.BandRows); 0: the whole region at once.", DefaultValueFactory = _ => BatchComputer.DefaultBandRows };
var infer = new Command("infer", "Patch and dense cells/s at each stride and precision, and how far their maps agree.")
{
    slide, weights, strides, precisions, patchCells, denseCells, regionCells, patchesPerBatch, threads, contextMargin, foldBatchNorm, canonicalShapes, bandRows, denseConvolutions,
};
infer.SetAction(parse => Report(() => InferBenchmark.Run(new InferBenchmark.Settings(parse.GetValue(slide)!, parse.GetValue(weights),
    Ints(parse.GetValue(strides)!), Words(parse.GetValue(precisions)!), parse.GetValue(patchCells), parse.GetValue(denseCells),
    parse.GetValue(regionCells), parse.GetValue(patchesPerBatch), parse.GetValue(threads), parse.GetValue(contextMargin),
    Bools(parse.GetValue(foldBatchNorm)!), Bools(parse.GetValue(canonicalShapes)!), parse.GetValue(bandRows),
    parse.GetValue(denseConvolutions) is { } c ? Convolutions(c) : null))));

var precision = new Option<string>("--precision") { Description = "fp32 or bf16.", DefaultValueFactory = _ => "fp32" };
var stride = new Option<int>("--stride") { Description = "Level-0 pixels per map cell.", DefaultValueFactory = _ => 64 };
var mode = new Option<InferenceMode>("--mode") { Description = "dense or patch.", DefaultValueFactory = _ => InferenceMode.Dense };
var readers = new Option<int>("--readers") { Description = "InferenceOptions.Readers.", DefaultValueFactory = _ => new InferenceOptions().Readers };
var prefetch = new Option<int>("--prefetch") { Description = "InferenceOptions.Prefetch.", DefaultValueFactory = _ => new InferenceOptions().Prefetch };
var regionRows = new Option<int>("--region-rows") { Description = "Only N rows of regions from the first that holds tissue (a quick partial run); 0: the whole slide.", DefaultValueFactory = _ => 0 };
var stages = new Option<string>("--stages") { Description = "Comma-separated stages, run in this order: e2e, read, compute.", DefaultValueFactory = _ => "e2e,read,compute" };
var warmShapes = new Option<bool>("--warm-shapes") { Description = "Run one forward pass per input shape before timing (default true), so no stage pays the set-up of new shapes.", DefaultValueFactory = _ => true };
var e2e = new Command("e2e", "Whole-slide SlideInference.RunAsync against its read and compute stages alone.")
{
    slide, weights, precision, stride, mode, regionCells, patchesPerBatch, readers, prefetch, threads, regionRows, stages, warmShapes,
};
e2e.SetAction(parse => ReportAsync(() => EndToEndBenchmark.Run(new EndToEndBenchmark.Settings(parse.GetValue(slide)!, parse.GetValue(weights), parse.GetValue(precision)!,
    new InferenceOptions
    {
        Stride = parse.GetValue(stride),
        Mode = parse.GetValue(mode),
        RegionCells = parse.GetValue(regionCells),
        PatchesPerBatch = parse.GetValue(patchesPerBatch),
        Readers = parse.GetValue(readers),
        Prefetch = parse.GetValue(prefetch),
    },
    parse.GetValue(threads), parse.GetValue(regionRows), Words(parse.GetValue(stages)!), parse.GetValue(warmShapes)))));

var side = new Option<int>("--side") { Description = "Input side in pixels (224: a patch; 1696: a 24-cell region at stride 64).", DefaultValueFactory = _ => 1696 };
var count = new Option<int>("--count") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 };
var layouts = new Option<string>("--layouts") { Description = $"Comma-separated input layouts: {ForwardBenchmark.LayoutNchw}, {ForwardBenchmark.LayoutChannelsLast}.", DefaultValueFactory = _ => $"{ForwardBenchmark.LayoutNchw},{ForwardBenchmark.LayoutChannelsLast}" };
var repeats = new Option<int>("--repeats") { Description = "Timed passes per case.", DefaultValueFactory = _ => 5 };
var inputSlide = new Option<string?>("--slide") { Description = "Take the input from this slide (a region on tissue); default: uniform noise." };
var forward = new Command("forward", "The forward pass alone on one input shape: input layout, precision and threads.")
{
    weights, inputSlide, side, count, precisions, layouts, repeats, threads,
};
forward.SetAction(parse => Report(() => ForwardBenchmark.Run(new ForwardBenchmark.Settings(parse.GetValue(weights), parse.GetValue(inputSlide), parse.GetValue(side), parse.GetValue(count),
    Words(parse.GetValue(precisions)!), Words(parse.GetValue(layouts)!), parse.GetValue(repeats), parse.GetValue(threads)))));

var bandList = new Option<string>("--band-rows") { Description = "Comma-separated band heights in rows; 0: the whole region in one Forward.", DefaultValueFactory = _ => "0,128,256,512" };
var bandSide = new Option<int>("--side") { Description = "Region side in pixels (4448: a 64-cell region at stride 64 with the 96 px margin).", DefaultValueFactory = _ => 4448 };
var bandConvolutions = new Option<string>("--convolutions") { Description = "Comma-separated 3x3 convolution algorithms: direct (oneDNN, channels-last), winograd (NNPACK, NCHW).", DefaultValueFactory = _ => "direct" };
var bands = new Command("bands", "One dense region whole and in bands of rows: CPU per megapixel, interleaved.")
{
    weights, inputSlide, bandSide, bandList, bandConvolutions, repeats, threads,
};
bands.SetAction(parse => Report(() => BandsBenchmark.Run(new BandsBenchmark.Settings(parse.GetValue(weights), parse.GetValue(inputSlide), parse.GetValue(bandSide),
    Ints(parse.GetValue(bandList)!), Convolutions(parse.GetValue(bandConvolutions)!),
    parse.GetValue(repeats), parse.GetValue(threads)))));

var tissueSeeds = new Option<int>("--seeds") { Description = "Drawn scenes per artefact.", DefaultValueFactory = _ => 5 };
var tissueSide = new Option<int>("--side") { Description = "Side of each drawn scene in mask pixels.", DefaultValueFactory = _ => 256 };
var tissueReal = new Option<string[]>("--real") { Description = "Real slides: the robust mask's IoU with the Otsu mask.", AllowMultipleArgumentsPerToken = true };
var tissueTimed = new Option<string?>("--timed") { Description = "A slide whose mask is timed with each method (e.g. a 100000x100000 one from opath synth)." };
var tissueFigures = new Option<string?>("--figures") { Description = "Folder for PNG strips: image, truth, otsu and robust outlines." };
var tissueTiffs = new Option<string?>("--tiffs") { Description = "Folder to write each scene as a pyramidal TIFF in, masked through OpenSlide (deleted after)." };
var tissue = new Command("tissue", "Tissue masks: IoU per artefact of the Otsu and robust rules against drawn truth, agreement on real slides, time per slide.")
{
    tissueSeeds, tissueSide, tissueReal, tissueTimed, tissueFigures, tissueTiffs,
};
tissue.SetAction(parse => Report(() => TissueBenchmark.Run(new TissueBenchmark.Settings(parse.GetValue(tissueSeeds), parse.GetValue(tissueSide),
    parse.GetValue(tissueReal) ?? [], parse.GetValue(tissueTimed), parse.GetValue(tissueFigures), parse.GetValue(tissueTiffs)))));

var planStride = new Option<int>("--stride") { Description = "Level-0 pixels per map cell.", DefaultValueFactory = _ => 64 };
var planRegions = new Option<string>("--region-cells") { Description = "Comma-separated region sides in cells.", DefaultValueFactory = _ => "16,24,32,48" };
var planMargins = new Option<string>("--context-margins") { Description = "Comma-separated context margins in pixels.", DefaultValueFactory = _ => "0,96" };
var plan = new Command("plan", "Dense plans without computing them: batches, shapes, computed pixels per tissue cell.") { slide, planStride, planRegions, planMargins };
plan.SetAction(parse => Report(() => PlanBenchmark.Run(new PlanBenchmark.Settings(parse.GetValue(slide)!, parse.GetValue(planStride),
    Ints(parse.GetValue(planRegions)!), Ints(parse.GetValue(planMargins)!)))));

var cohortSlides = new Argument<string[]>("slides") { Description = "Slides scored one after another by one model.", Arity = ArgumentArity.OneOrMore };
var cohortCanonical = new Option<bool>("--canonical-shapes") { Description = "Regions widened to canonical sizes (InferenceOptions.CanonicalShapes).", DefaultValueFactory = _ => false };
var cohort = new Command("cohort", "A cohort of slides through SlideInference in one process: time and RSS after each slide.")
{
    cohortSlides, weights, cohortCanonical, regionCells, threads,
};
cohort.SetAction(parse => ReportAsync(() => CohortBenchmark.Run(new CohortBenchmark.Settings(parse.GetValue(cohortSlides)!, parse.GetValue(weights),
    parse.GetValue(cohortCanonical), parse.GetValue(regionCells), parse.GetValue(threads)))));

var root = new RootCommand("Benchmarks of the OrleansPathology inference engine; figures go to BENCHMARKS.md.") { read, readRatios, infer, e2e, forward, bands, plan, tissue, cohort };
return await root.Parse(args).InvokeAsync();

// Expected failures (a missing or unreadable slide or weights file, a bad option value) are one line on stderr and exit code 2.
static int Report(Action run)
{
    try
    {
        run();
        return 0;
    }
    catch (Exception ex) when (IsExpected(ex))
    {
        Console.Error.WriteLine($"opath-bench: {ex.Message}");
        return 2;
    }
}

static async Task<int> ReportAsync(Func<Task> run)
{
    try
    {
        await run();
        return 0;
    }
    catch (Exception ex) when (IsExpected(ex))
    {
        Console.Error.WriteLine($"opath-bench: {ex.Message}");
        return 2;
    }
}

static bool IsExpected(Exception ex) =>
    ex is OrleansPathology.Slides.SlideException or OrleansPathology.Model.ModelWeightsException or MaskMismatchException
        or IOException or InvalidDataException or ArgumentException or FormatException;

static string[] Words(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

static bool[] Bools(string list) => Words(list).Select(bool.Parse).ToArray();

static int[] Ints(string list) => Words(list).Select(w => int.Parse(w, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

static ConvolutionAlgorithm[] Convolutions(string list) => Words(list).Select(ConvolutionAlgorithms.Parse).ToArray();
