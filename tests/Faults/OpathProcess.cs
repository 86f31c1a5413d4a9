using System.Diagnostics;
using System.Runtime.InteropServices;
using OrleansPathology.Client;

namespace OrleansPathology.Tests.Faults;

/// <summary>
/// One real <c>opath</c> process (<c>dotnet opath.dll ...</c> from this test's build output), its stdout and stderr kept
/// line by line for wait points, and signals sent to it as a terminal's Ctrl+C or Kubernetes would. Disposing kills it.
/// </summary>
public sealed partial class OpathProcess : IDisposable
{
    public const int SigInt = 2;

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _stdout = [], _stderr = [];

    private OpathProcess(Process process) => _process = process;

    public static OpathProcess Start(string workingDirectory, params string[] args)
    {
        var dll = typeof(OpathCommand).Assembly.Location;
        // Started as a terminal would start it: with Ctrl+C's default action. A test run started in the background
        // (`dotnet test &`) ignores SIGINT, and an ignored signal stays ignored in every child; Python puts the default
        // back and then becomes opath.
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])");
        start.ArgumentList.Add(DotnetHost());
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.Contains("__", StringComparison.Ordinal) || k.StartsWith("OPATH_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        var process = new Process { StartInfo = start };
        var opath = new OpathProcess(process);
        process.OutputDataReceived += (_, e) => opath.Add(opath._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => opath.Add(opath._stderr, e.Data);
        if (!process.Start()) throw new InvalidOperationException("opath did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return opath;
    }

    public string Stdout
    {
        get { lock (_lock) return string.Join('\n', _stdout); }
    }

    public string Stderr
    {
        get { lock (_lock) return string.Join('\n', _stderr); }
    }

    /// <summary>Waits until a line of stdout or stderr satisfies <paramref name="condition"/>; fails with the output when the process exits first or it takes too long.</summary>
    public async Task WaitForLineAsync(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; ; await Task.Delay(50))
        {
            lock (_lock)
                if (_stdout.Concat(_stderr).Any(condition)) return;
            if (_process.HasExited) Assert.Fail($"opath exited ({_process.ExitCode}) before {what}\n{Output()}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what}\n{Output()}");
        }
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the exit code.</summary>
    public async Task<int> SignalAndWaitAsync(int signal, TimeSpan timeout)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill -{signal} {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"opath did not exit within {timeout.TotalSeconds:0} s of signal {signal}\n{Output()}");
        }
        return _process.ExitCode;
    }

    public string Output() => $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already reaped.
        }
        _process.Dispose();
    }

    private void Add(List<string> lines, string? line)
    {
        if (line is null) return;
        lock (_lock) lines.Add(line);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
