using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using OrleansPathology.Grains;
using OrleansPathology.Grains.Storage;
using OrleansPathology.Grains.Telemetry;
using OrleansPathology.Grains.Workers;
using OrleansPathology.Inference;
using OrleansPathology.Silo;
using OrleansPathology.Silo.Hosting;
using OrleansPathology.Slides;

namespace OrleansPathology.Bench.Scale;

/// <summary>
/// One cohort on S in-process silos (real Orleans messaging between them over loopback) with W simulated devices each.
/// The batches are the real slide grains' plans of real synthetic slide files; the devices wait their batch time and
/// return deterministic probabilities, so what the process spends beyond them is the cost of coordination.
/// </summary>
public static class ScaleRun
{
    public static async Task<ScaleResult> RunAsync(ScaleSettings settings, TextWriter log)
    {
        var slides = CohortSlides(settings);
        log.WriteLine($"{settings.Silos} silo(s) x {settings.WorkersPerSilo} simulated device(s), {settings.BatchMs} ms a batch, {settings.Storage} storage, " +
            $"{slides.Count} slides, region {settings.RegionCells} cells");

        NpgsqlDataSource? database = settings.Storage == "postgres"
            ? NpgsqlDataSource.Create(settings.ConnectionString ?? throw new ArgumentException("--storage postgres needs OPATH_CONNECTION_STRING"))
            : null;
        var builder = new InProcessTestClusterBuilder((short)settings.Silos);
        builder.ConfigureSilo((options, silo) =>
        {
            var index = int.Parse(options.SiloName[(options.SiloName.LastIndexOf('_') + 1)..]);
            if (database is not null)
            {
                silo.AddPostgresGrainStorage(PathologyGrainOptions.StorageName, settings.ConnectionString!);
                silo.Services.AddSingleton<IBatchResultStore>(new PostgresBatchResultStore(database));
            }
            else
            {
                silo.AddMemoryGrainStorage(PathologyGrainOptions.StorageName);
                silo.Services.AddSingleton<IBatchResultStore, MemoryBatchResultStore>();
            }
            silo.Services.AddSingleton<PathologyMetrics>();
            // As a silo process has it (AddPathologySilo).
            silo.AddPathologyHousekeeping();
            silo.Services.Configure<PathologyGrainOptions>(o => o.LeaseTimeout = TimeSpan.FromMinutes(30));
            silo.AddInferenceWorkers(o =>
            {
                o.SiloName = $"silo{index:D2}";
                o.Devices = Enumerable.Range(0, settings.WorkersPerSilo).Select(i => DeviceName.Sim(i).ToString()).ToList();
                o.Concurrency = 2;
                o.PollInterval = TimeSpan.FromMilliseconds(100);
                o.WatchInterval = TimeSpan.FromMinutes(10);
                o.Simulation = new SimulationSettings { BatchTime = TimeSpan.FromMilliseconds(settings.BatchMs) };
            });
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        await WarmUpAsync(cluster.Client, settings, slides.Count);
        log.WriteLine("warm-up cohort done");

        var workerKeys = Enumerable.Range(0, settings.Silos).SelectMany(i => Enumerable.Range(0, settings.WorkersPerSilo).Select(d => $"silo{i:D2}/sim:{d}")).ToList();
        var busyBefore = (await Task.WhenAll(workerKeys.Select(k => cluster.Client.GetGrain<IInferenceWorkerGrain>(k).GetStatusAsync()))).ToDictionary(w => w.Worker, w => w.BusySeconds);
        // The process's CPU with the cluster idle (silos' housekeeping, pollers), so the per-batch cost can be told from it.
        // Measured after 5 s of settling (background JIT of what the warm-up ran), over 10 s.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleClock = Stopwatch.StartNew();
        var idleCpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleCpuPerSecond = (Process.GetCurrentProcess().TotalProcessorTime - idleCpu).TotalMilliseconds / idleClock.Elapsed.TotalSeconds;
        using var watch = new BatchWatch();
        var spec = Cohort(settings, slides);
        var cohort = cluster.Client.GetGrain<ICohortGrain>(spec.CohortId);
        var dbBefore = await TransactionsAsync(database);
        var submitted = Stopwatch.StartNew();
        watch.Arm();
        await cohort.SubmitAsync(spec);

        // Completion by the batches the workers report (in-process metrics, no polling of grains), then the cohort.
        CohortStatus status;
        while (true)
        {
            status = (await cohort.GetStatusAsync())!;
            var total = status.Slides.Sum(s => s.BatchesTotal);
            if (status.State != RunState.Running) break;
            if (status.Slides.All(s => s.BatchesTotal > 0) && watch.Batches >= total) break;
            await Task.Delay(1000);
        }
        var last = watch.Last();
        // PostgreSQL 15 publishes a busy backend's statistics at most once a second and an idle one's after 10 s.
        if (database is not null) await Task.Delay(TimeSpan.FromSeconds(11));
        var dbAfter = await TransactionsAsync(database);
        status = await WaitForEndAsync(cohort);
        var cohortSeconds = submitted.Elapsed.TotalSeconds;

        var workers = await Task.WhenAll(workerKeys.Select(k => cluster.Client.GetGrain<IInferenceWorkerGrain>(k).GetStatusAsync()));
        var span = last.At - watch.FirstStart;
        // Busy time over the measured cohort alone (the warm-up's is subtracted).
        var utilisation = workers.Select(w => (w.BusySeconds - busyBefore[w.Worker]) / span.TotalSeconds).ToArray();
        var batches = status.Slides.Sum(s => s.BatchesTotal);
        var cells = status.Slides.Sum(s => s.CellsTotal);
        var processCpu = last.ProcessCpu - watch.ProcessCpuAtArm;
        var pixelCpu = last.PixelWorkCpu;
        var result = new ScaleResult(settings.Silos, settings.Workers, settings.BatchMs, settings.Storage, slides.Count, batches, cells,
            span.TotalSeconds, cohortSeconds, batches / span.TotalSeconds, cells / span.TotalSeconds, utilisation.Min(), utilisation.Average(),
            settings.Workers * 1000.0 / settings.BatchMs,
            processCpu.TotalMilliseconds / batches, pixelCpu.TotalMilliseconds / batches, (processCpu - pixelCpu).TotalMilliseconds / batches,
            idleCpuPerSecond, ((processCpu - pixelCpu).TotalMilliseconds - idleCpuPerSecond * (last.At - watch.ArmedAt).TotalSeconds) / batches,
            database is null ? null : (dbAfter - dbBefore) / (double)batches, CpuModel());
        await cluster.StopAllSilosAsync();
        if (database is not null) await database.DisposeAsync();
        return result;
    }

    /// <summary>The cohort's slides: the files of --cohort reused under new ids until each device gets its batches.</summary>
    public static List<SlideSpec> CohortSlides(ScaleSettings settings)
    {
        var sources = ReadCohort(settings.CohortFile);
        return Enumerable.Range(0, settings.Slides > 0 ? settings.Slides : SlidesFor(settings, sources))
            .Select(i => sources[i % sources.Count] with { SlideId = $"s{i:D3}" }).ToList();
    }

    public static CohortSpec Cohort(ScaleSettings settings, IReadOnlyList<SlideSpec> slides) =>
        new($"scale-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid():N}"[..24], slides.ToList(), "simulated.weights", settings.OutputRoot,
            Stride: 64, Layout: new BatchLayout(settings.RegionCells, 32));

    /// <summary>
    /// Two warm-up cohorts first (each a quarter of the measured cohort's slides, at least two), 5 s apart, so that JIT
    /// compilation stays out of the figures as it is out of a silo that has run for a while: after one cohort of two
    /// slides, tiered recompilation (tier 0, then instrumented, then optimised) was half the measured coordination CPU (perf).
    /// </summary>
    public static async Task WarmUpAsync(IGrainFactory grains, ScaleSettings settings, int measuredSlides)
    {
        var sources = ReadCohort(settings.CohortFile);
        for (var round = 0; round < 2; round++)
        {
            var slides = Enumerable.Range(0, Math.Max(2, measuredSlides / 4)).Select(i => sources[i % sources.Count] with { SlideId = $"w{round}{i:D3}" }).ToList();
            var warmup = new CohortSpec($"warmup-{Guid.NewGuid():N}"[..20], slides, "simulated.weights", settings.OutputRoot, Stride: 64,
                Layout: new BatchLayout(settings.RegionCells, 32));
            var cohort = grains.GetGrain<ICohortGrain>(warmup.CohortId);
            await WaitForEndAsync(cohort, await cohort.SubmitAsync(warmup));
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The cohort's final status; throws unless every slide completed.</summary>
    public static async Task<CohortStatus> WaitForEndAsync(ICohortGrain cohort, CohortStatus? status = null)
    {
        status ??= (await cohort.GetStatusAsync())!;
        while (status.State == RunState.Running)
        {
            await Task.Delay(500);
            status = (await cohort.GetStatusAsync())!;
        }
        if (status.Slides.Any(s => s.State != RunState.Completed))
            throw new InvalidOperationException($"cohort ended {status.State}: {string.Join("; ", status.Slides.Where(s => s.State != RunState.Completed).Select(s => $"{s.SlideId} {s.State} {s.Error}"))}");
        return status;
    }

    private static List<SlideSpec> ReadCohort(string cohortFile)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(cohortFile));
        var dir = Path.GetDirectoryName(Path.GetFullPath(cohortFile))!;
        return json.RootElement.GetProperty("slides").EnumerateArray().Select(s => new SlideSpec(
            s.GetProperty("id").GetString()!,
            Path.Combine(dir, s.GetProperty("path").GetString()!),
            Path.Combine(dir, s.GetProperty("tissueMask").GetString()!))).ToList();
    }

    // Enough slides that each device gets about BatchesPerWorker batches: plans the first file as a slide grain would.
    private static int SlidesFor(ScaleSettings settings, List<SlideSpec> sources)
    {
        var perSlide = sources.Average(s => SlidePlanning.Prepare(new SlideJob(s.Path, s.MaskPath,
            new InferenceOptions { RegionCells = settings.RegionCells }, settings.OutputRoot, s.SlideId), new DataRoots([])).Batches.Count);
        return Math.Max(1, (int)Math.Ceiling(settings.Workers * settings.BatchesPerWorker / perSlide));
    }

    public static async Task<long> TransactionsAsync(NpgsqlDataSource? database)
    {
        if (database is null) return 0;
        await using var command = database.CreateCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    /// <summary>Listens to the silos' meters: each scored batch (its end and duration) and the pixel work's CPU.</summary>
    private sealed class BatchWatch : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private long _batches;
        private DateTime _firstStart = DateTime.MaxValue;
        private (DateTime At, TimeSpan ProcessCpu, TimeSpan PixelWorkCpu) _last;
        private double _pixelSeconds;
        private bool _armed;

        public BatchWatch()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PathologyTelemetry.Name && instrument.Name is "opath.batch.duration" or "opath.pixel_work.cpu")
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>(OnMeasurement);
            _listener.Start();
        }

        public long Batches => Interlocked.Read(ref _batches);

        public DateTime FirstStart
        {
            get { lock (_lock) return _firstStart; }
        }

        public TimeSpan ProcessCpuAtArm { get; private set; }

        public DateTime ArmedAt { get; private set; }

        public void Arm()
        {
            ProcessCpuAtArm = Process.GetCurrentProcess().TotalProcessorTime;
            ArmedAt = DateTime.UtcNow;
            lock (_lock) _armed = true;
        }

        public (DateTime At, TimeSpan ProcessCpu, TimeSpan PixelWorkCpu) Last()
        {
            lock (_lock) return _last;
        }

        public void Dispose() => _listener.Dispose();

        private void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var now = DateTime.UtcNow;
            lock (_lock)
            {
                if (!_armed) return;
                if (instrument.Name == "opath.pixel_work.cpu")
                {
                    _pixelSeconds += value;
                    return;
                }
                _batches++;
                var start = now - TimeSpan.FromSeconds(value);
                if (start < _firstStart) _firstStart = start;
                _last = (now, Process.GetCurrentProcess().TotalProcessorTime, TimeSpan.FromSeconds(_pixelSeconds));
            }
        }
    }
}
