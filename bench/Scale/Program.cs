using System.CommandLine;
using System.Text.Json;
using OrleansPathology.Bench.Scale;

// opath-scale: one cohort on many simulated devices; bench/scale.sh builds and runs it (see there for the sweep).
var silos = new Option<int>("--silos") { Description = "Silos, all in this process.", DefaultValueFactory = _ => 1 };
var workers = new Option<int>("--workers-per-silo") { Description = "Simulated devices (sim:N) per silo.", DefaultValueFactory = _ => 8 };
var batchMs = new Option<int>("--batch-ms") { Description = "Time a simulated device takes per batch.", DefaultValueFactory = _ => 1000 };
var storage = new Option<string>("--storage") { Description = "memory or postgres (OPATH_CONNECTION_STRING).", DefaultValueFactory = _ => "memory" };
var cohort = new Option<string>("--cohort") { Description = "cohort.json of synthetic slides (opath synth).", Required = true };
var slides = new Option<int>("--slides") { Description = "Slides in the cohort (files reused under new ids); 0: enough for --batches-per-worker.", DefaultValueFactory = _ => 0 };
var region = new Option<int>("--region-cells") { Description = "Dense region side in cells (the cohort's batch layout).", DefaultValueFactory = _ => 16 };
var perWorker = new Option<int>("--batches-per-worker") { Description = "About this many batches per device when --slides is 0.", DefaultValueFactory = _ => 30 };
var output = new Option<string>("--out") { Description = "Output root of the cohort's maps.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "opath-scale-out") };
var json = new Option<bool>("--json") { Description = "End with one line holding the result as JSON." };
var siloDll = new Option<string?>("--silo-processes") { Description = "Run the silos as processes of this silo.dll (PostgreSQL only) instead of in this process." };
var root = new RootCommand("Coordination at scale: simulated devices on in-process silos.") { silos, workers, batchMs, storage, cohort, slides, region, perWorker, output, json, siloDll };
root.SetAction(async parse =>
{
    var settings = new ScaleSettings(parse.GetValue(silos), parse.GetValue(workers), parse.GetValue(batchMs), parse.GetValue(storage)!,
        parse.GetValue(cohort)!, parse.GetValue(slides), parse.GetValue(region), parse.GetValue(perWorker),
        Environment.GetEnvironmentVariable("OPATH_CONNECTION_STRING"), parse.GetValue(output)!);
    var result = parse.GetValue(siloDll) is { } dll
        ? await ProcessScaleRun.RunAsync(settings, dll, Console.Out)
        : await ScaleRun.RunAsync(settings, Console.Out);
    Console.WriteLine("| silos | workers | batch ms | storage | batches | batches/s (ideal) | cells/s | utilisation min / mean | coordination CPU ms/batch (process, pixel work) | idle CPU ms/s | marginal CPU ms/batch | DB round trips/batch |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {result.Silos} | {result.Workers} | {result.BatchMs} | {result.Storage} | {result.Batches} | {result.BatchesPerSecond:0.0} ({result.IdealBatchesPerSecond:0}) | " +
        $"{result.CellsPerSecond:0} | {result.UtilisationMin:P1} / {result.UtilisationMean:P1} | {result.CoordinationCpuMsPerBatch:0.000} ({result.ProcessCpuMsPerBatch:0.000}, {result.PixelWorkCpuMsPerBatch:0.000}) | " +
        $"{result.IdleCpuMsPerSecond:0} | {result.MarginalCpuMsPerBatch:0.000} | " +
        $"{(result.DbRoundTripsPerBatch is { } db ? db.ToString("0.000") : "-")} |");
    if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result));
    return 0;
});
return await root.Parse(args).InvokeAsync();
