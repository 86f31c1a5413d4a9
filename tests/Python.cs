using System.Diagnostics;

namespace OrleansPathology.Tests;

/// <summary>Runs a script in Debian's /usr/bin/python3 (numpy, and torch from python3-torch, installed by scripts/setup.sh).</summary>
internal static class Python
{
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> as sys.argv[1:]; a non-zero exit fails the test with stderr.</summary>
    public static string Run(string script, params string[] args)
    {
        var file = Path.Combine(TestData.NewTempDir("opath-py"), "script.py");
        File.WriteAllText(file, script);
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(file);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"python3 exited {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
