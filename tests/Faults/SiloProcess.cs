using System.Diagnostics;
using System.Runtime.InteropServices;
using OrleansPathology.Silo.Hosting;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// One real silo process: <c>dotnet OrleansPathology.Silo.dll</c> from this test's build output, configured only
/// through environment variables as an operator would (<c>Silo__Clustering=postgres</c>, <c>Workers__SiloName</c>, ...).
/// Its console log is kept in memory (and in <see cref="LogPath"/>) for wait points and for failure messages.
/// Disposing kills it: no silo outlives its test, whatever the test's outcome.
/// </summary>
public sealed partial class SiloProcess : IDisposable
{
    /// <summary>The line the generic host logs once every hosted service, the silo included, has started.</summary>
    private const string StartedLine = "Application started";

    private const int SigTerm = 15;

    /// <summary>Numbers lines across every silo in the order this process received them (see <see cref="LogLine"/>).</summary>
    private static long s_received;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<LogLine> _lines = [];
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private SiloProcess(string name, int siloPort, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        SiloPort = siloPort;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    /// <summary>The silo's worker name (<c>Workers:SiloName</c>): its worker is <c>{Name}/cpu:0</c>.</summary>
    public string Name { get; }

    public int SiloPort { get; }

    /// <summary>The silo's HTTP port (<c>Silo__HealthPort</c> as started), 0 when it has none.</summary>
    public int HealthPort { get; private init; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public string WorkerKey => $"{Name}/cpu:0";

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// The silo assembly this test project references, next to the test assembly in the build output (whatever the
    /// artifacts path), with the runtimeconfig that <c>dotnet</c> needs to run it.
    /// </summary>
    public static string SiloAssembly
    {
        get
        {
            var dll = typeof(SiloHostOptions).Assembly.Location;
            var config = Path.ChangeExtension(dll, ".runtimeconfig.json");
            if (string.IsNullOrEmpty(dll) || !File.Exists(config))
                throw new FileNotFoundException($"the silo's runtimeconfig is not next to {dll}; the test project must reference silo/Silo.csproj", config);
            return dll;
        }
    }

    /// <summary>Starts the process; <see cref="WaitStartedAsync"/> waits for it to join.</summary>
    public static SiloProcess Start(string name, int siloPort, IReadOnlyDictionary<string, string> settings, string logDirectory)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = logDirectory,
        };
        start.ArgumentList.Add(SiloAssembly);
        // Nothing from the test process's own configuration leaks into the silo: only what is set here.
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in settings) start.Environment[key] = value;

        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new SiloProcess(name, siloPort, process, log, logPath)
        {
            HealthPort = settings.TryGetValue("Silo__HealthPort", out var http) && int.TryParse(http, out var port) ? port : 0,
        };
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.Exited += (_, _) => silo._started.TrySetException(
            new InvalidOperationException($"silo {name} exited with code {process.ExitCode} before it started"));
        if (!process.Start()) throw new InvalidOperationException($"silo {name} did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits until the silo has joined the cluster and started its workers; fails with its log when it exits or is too slow.</summary>
    public async Task WaitStartedAsync(TimeSpan timeout)
    {
        try
        {
            await _started.Task.WaitAsync(timeout);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"silo {Name}: {ex.Message}\n{Tail()}", ex);
        }
    }

    /// <summary>SIGKILL: the process disappears at once, with its leases, activations and open connections.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host stops gracefully (workers drain, the silo leaves the membership table as Dead); killed if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        if (Kill(_process.Id, SigTerm) != 0) throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"silo {Name} did not stop within {timeout} of SIGTERM; killed\n{Tail()}");
        }
    }

    /// <summary>Log lines so far that contain <paramref name="text"/>.</summary>
    public IReadOnlyList<string> LinesContaining(string text) => LogLinesContaining(text).Select(l => l.Text).ToList();

    /// <summary>Log lines so far that contain <paramref name="text"/>, with their place in the order of all silos' lines.</summary>
    public IReadOnlyList<LogLine> LogLinesContaining(string text)
    {
        lock (_lock) return _lines.Where(l => l.Text.Contains(text, StringComparison.Ordinal)).ToList();
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string Tail(int lines = 40)
    {
        lock (_lock) return $"--- last {Math.Min(lines, _lines.Count)} log lines of silo {Name} ({LogPath}) ---\n" + string.Join('\n', _lines.TakeLast(lines).Select(l => l.Text));
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
        lock (_lock)
        {
            _disposed = true;
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lock)
        {
            if (_disposed) return;
            _lines.Add(new LogLine(Interlocked.Increment(ref s_received), line));
            _log.WriteLine(line);
        }
        if (line.Contains(StartedLine, StringComparison.Ordinal)) _started.TrySetResult();
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH for its children), else dotnet on the PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>
/// A silo's log line and its place among all silos' lines as they reached this process. Each silo writes its lines in
/// order; across silos the order holds for events further apart than the pipes' delay (milliseconds), such as a
/// lease before a silo was killed and what survivors logged once they had declared it dead.
/// </summary>
public readonly record struct LogLine(long Received, string Text);
