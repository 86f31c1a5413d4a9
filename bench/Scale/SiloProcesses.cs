using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OrleansPathology.Bench.Scale;

/// <summary>
/// Real silo processes (`dotnet silo.dll`) on PostgreSQL clustering and storage, each with simulated devices: the
/// confirming run of the scale benchmark. Their CPU is read from /proc, their pixel work from their /metrics.
/// </summary>
public sealed class SiloProcesses : IAsyncDisposable
{
    private readonly List<(Process Process, int HealthPort, StreamWriter Log)> _silos = [];

    private SiloProcesses(string clusterId) => ClusterId = clusterId;

    public string ClusterId { get; }

    public const string ServiceId = "opath-scale";

    public IReadOnlyList<int> ProcessIds => _silos.Select(s => s.Process.Id).ToList();

    public static SiloProcesses Start(ScaleSettings settings, string siloDll, string logDir)
    {
        var silos = new SiloProcesses($"scale-{Guid.NewGuid():N}"[..14]);
        Directory.CreateDirectory(logDir);
        for (var i = 0; i < settings.Silos; i++)
        {
            var info = new ProcessStartInfo("dotnet", [siloDll]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            var health = FreePort();
            var env = new Dictionary<string, string>
            {
                ["Silo__Clustering"] = "postgres",
                ["Silo__Storage"] = "postgres",
                ["Silo__ConnectionString"] = settings.ConnectionString!,
                ["Silo__ClusterId"] = silos.ClusterId,
                ["Silo__ServiceId"] = ServiceId,
                ["Silo__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Silo__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
                ["Silo__HealthPort"] = health.ToString(CultureInfo.InvariantCulture),
                ["Workers__SiloName"] = SiloName(i),
                ["Workers__Concurrency"] = "2",
                ["Workers__PollInterval"] = "00:00:00.100",
                ["Workers__WatchInterval"] = "00:10:00",
                ["Workers__Simulation__BatchTime"] = TimeSpan.FromMilliseconds(settings.BatchMs).ToString("c", CultureInfo.InvariantCulture),
                ["Pathology__LeaseTimeout"] = "00:30:00",
                ["Telemetry__Exporters"] = "prometheus",
                ["Logging__LogLevel__Default"] = "Warning",
            };
            for (var d = 0; d < settings.WorkersPerSilo; d++) env[$"Workers__Devices__{d}"] = $"sim:{d}";
            foreach (var (key, value) in env) info.Environment[key] = value;
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {siloDll}");
            var log = new StreamWriter(Path.Combine(logDir, $"{SiloName(i)}.log")) { AutoFlush = true };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            silos._silos.Add((process, health, log));
        }
        return silos;
    }

    public static string SiloName(int index) => $"silo{index:D2}";

    /// <summary>User and system CPU of every silo process so far (from /proc/PID/stat).</summary>
    public TimeSpan Cpu()
    {
        var ticks = 0L;
        foreach (var (process, _, _) in _silos)
        {
            // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15.
            var stat = File.ReadAllText($"/proc/{process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>The pixel work (tissue masks, output files) the silos report on /metrics, summed over them.</summary>
    public async Task<TimeSpan> PixelWorkAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var seconds = 0.0;
        foreach (var (_, port, _) in _silos)
        {
            var text = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
            foreach (var line in text.Split('\n'))
                if (line.StartsWith("opath_pixel_work_cpu_seconds_total", StringComparison.Ordinal))
                    seconds += double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
        }
        return TimeSpan.FromSeconds(seconds);
    }

    public string Exited() => string.Join(", ", _silos.Where(s => s.Process.HasExited).Select(s => $"pid {s.Process.Id} exit {s.Process.ExitCode}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var (process, _, _) in _silos)
            if (!process.HasExited) _ = Kill(process.Id, 15);
        foreach (var (process, _, log) in _silos)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
            lock (log) log.Dispose();
            process.Dispose();
        }
    }

    // Below the kernel's ephemeral range: a port 0 handed out lies in it, where an outgoing connection (Npgsql, Orleans)
    // can take it before the silo binds it, and the silo aborts (seen in CI with the same kind of processes).
    private static int FreePort() => OrleansPathology.Tests.TestPorts.Next();

    private const long ClockTicksPerSecond = 100;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
