using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using OrleansPathology.Grains;
using OrleansPathology.Silo;

namespace OrleansPathology.Bench.Scale;

/// <summary>
/// The scale run on real silo processes (PostgreSQL clustering and storage): what the in-process run measures, with
/// each figure taken from outside. Batches and device busy time come from the worker grains, CPU from /proc (the silo
/// processes only), pixel work from their /metrics; the span runs from submit until the workers have reported every
/// batch (polled every 200 ms), so it includes planning and reads a little long.
/// </summary>
public static class ProcessScaleRun
{
    public static async Task<ScaleResult> RunAsync(ScaleSettings settings, string siloDll, TextWriter log)
    {
        if (settings.Storage != "postgres" || settings.ConnectionString is null)
            throw new ArgumentException("--silo-processes needs --storage postgres (OPATH_CONNECTION_STRING)");
        var slides = ScaleRun.CohortSlides(settings);
        log.WriteLine($"{settings.Silos} silo process(es) x {settings.WorkersPerSilo} simulated device(s), {settings.BatchMs} ms a batch, postgres, " +
            $"{slides.Count} slides, region {settings.RegionCells} cells");

        await using var silos = SiloProcesses.Start(settings, siloDll, Path.Combine(settings.OutputRoot, "silo-logs"));
        using var host = Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Error))
            .UseOrleansClient(client => client.UsePostgresClustering(settings.ConnectionString)
                .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (silos.ClusterId, SiloProcesses.ServiceId)))
            .Build();
        await ConnectAsync(host, silos);
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var workerKeys = Enumerable.Range(0, settings.Silos)
            .SelectMany(i => Enumerable.Range(0, settings.WorkersPerSilo).Select(d => $"{SiloProcesses.SiloName(i)}/sim:{d}")).ToList();
        await ScaleRun.WarmUpAsync(grains, settings, slides.Count);
        log.WriteLine("warm-up cohort done");
        var before = await WorkersAsync(grains, workerKeys);

        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleClock = Stopwatch.StartNew();
        var idleCpu = silos.Cpu();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idleCpuPerSecond = (silos.Cpu() - idleCpu).TotalMilliseconds / idleClock.Elapsed.TotalSeconds;

        await using var database = NpgsqlDataSource.Create(settings.ConnectionString);
        var spec = ScaleRun.Cohort(settings, slides);
        var cohort = grains.GetGrain<ICohortGrain>(spec.CohortId);
        var dbBefore = await ScaleRun.TransactionsAsync(database);
        var pixelBefore = await silos.PixelWorkAsync();
        var cpuBefore = silos.Cpu();
        var clock = Stopwatch.StartNew();
        await cohort.SubmitAsync(spec);

        TimeSpan span, cpuAtEnd;
        int batches;
        while (true)
        {
            await Task.Delay(200);
            var status = (await cohort.GetStatusAsync())!;
            if (status.State is RunState.Failed or RunState.Cancelled) throw new InvalidOperationException($"cohort ended {status.State}");
            var done = (await WorkersAsync(grains, workerKeys)).Values.Sum(w => w.BatchesDone - before[w.Worker].BatchesDone);
            batches = status.Slides.Sum(s => s.BatchesTotal);
            if (status.Slides.All(s => s.BatchesTotal > 0) && done >= batches)
            {
                (span, cpuAtEnd) = (clock.Elapsed, silos.Cpu());
                break;
            }
            if (silos.Exited() is { Length: > 0 } exited) throw new InvalidOperationException($"a silo process exited: {exited}");
        }
        var pixel = await silos.PixelWorkAsync() - pixelBefore;
        await Task.Delay(TimeSpan.FromSeconds(11));
        var dbAfter = await ScaleRun.TransactionsAsync(database);
        var final = await ScaleRun.WaitForEndAsync(cohort);

        var after = await WorkersAsync(grains, workerKeys);
        var utilisation = after.Values.Select(w => (w.BusySeconds - before[w.Worker].BusySeconds) / span.TotalSeconds).ToArray();
        var cells = final.Slides.Sum(s => s.CellsTotal);
        var processCpu = cpuAtEnd - cpuBefore;
        await host.StopAsync();
        return new ScaleResult(settings.Silos, settings.Workers, settings.BatchMs, "postgres", slides.Count, batches, cells,
            span.TotalSeconds, clock.Elapsed.TotalSeconds, batches / span.TotalSeconds, cells / span.TotalSeconds, utilisation.Min(), utilisation.Average(),
            settings.Workers * 1000.0 / settings.BatchMs,
            processCpu.TotalMilliseconds / batches, pixel.TotalMilliseconds / batches, (processCpu - pixel).TotalMilliseconds / batches,
            idleCpuPerSecond, ((processCpu - pixel).TotalMilliseconds - idleCpuPerSecond * span.TotalSeconds) / batches,
            (dbAfter - dbBefore) / (double)batches, ScaleRun.CpuModel(), SiloProcesses: true);
    }

    private static async Task ConnectAsync(IHost host, SiloProcesses silos)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await host.StartAsync();
                return;
            }
            catch (Exception ex) when (deadline.Elapsed < TimeSpan.FromMinutes(3))
            {
                if (silos.Exited() is { Length: > 0 } exited) throw new InvalidOperationException($"a silo process exited: {exited}", ex);
                await Task.Delay(1000);
            }
        }
    }

    // Every worker answers once its silo has started it; until then a call can fail or time out.
    private static async Task<Dictionary<string, WorkerStatus>> WorkersAsync(IClusterClient grains, IReadOnlyList<string> keys)
    {
        var statuses = await Task.WhenAll(keys.Select(k => grains.GetGrain<IInferenceWorkerGrain>(k).GetStatusAsync()));
        return statuses.ToDictionary(w => w.Worker);
    }
}
