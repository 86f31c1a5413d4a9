using System.Diagnostics;
using System.Globalization;
using OrleansPathology.Model;

namespace OrleansPathology.Bench;

/// <summary>Wall and process CPU time of one measured stretch, with the load average around it.</summary>
internal readonly record struct Measured(double WallSeconds, double CpuSeconds, string LoadBefore, string LoadAfter)
{
    /// <summary>Cores this process kept busy on average: CPU seconds over wall seconds.</summary>
    public double Cores => WallSeconds > 0 ? CpuSeconds / WallSeconds : 0;

    public static Measured Run(Action action)
    {
        var loadBefore = Machine.LoadAverage();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return new Measured(wall, cpuSeconds, loadBefore, Machine.LoadAverage());
    }

    public static async Task<Measured> RunAsync(Func<Task> action)
    {
        var loadBefore = Machine.LoadAverage();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await action();
        var wall = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        return new Measured(wall, cpuSeconds, loadBefore, Machine.LoadAverage());
    }
}

/// <summary>What the figures were measured on, and how busy it was (other engineers share the machine).</summary>
internal static class Machine
{
    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg, e.g. "11.60 11.78 8.31".</summary>
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MiB.</summary>
    public static double PeakRssMiB() => StatusKiB("VmHWM:") / 1024.0;

    /// <summary>Current resident set size (VmRSS), in MiB.</summary>
    public static double RssMiB() => StatusKiB("VmRSS:") / 1024.0;

    /// <summary>
    /// Restarts the peak-RSS count at the current RSS (Linux: writing 5 to /proc/self/clear_refs), so that one
    /// process can report the peak of each stage. Returns false where the kernel does not allow it.
    /// </summary>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>One line for the report: cores, CPU model, memory, torch threads, load.</summary>
    public static string Describe() =>
        $"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemTotalGiB():0.0} GiB, " +
        $"torch threads {TorchSharp.torch.get_num_threads()}, OpenSlide {Slides.Slide.LibraryVersion}, " +
        $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}";

    private static double MemTotalGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static long StatusKiB(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}

/// <summary>A Markdown table printed as it goes: the header once, then each row as soon as it is measured.</summary>
internal sealed class MarkdownTable
{
    private readonly int _columns;

    public MarkdownTable(params string[] headers)
    {
        _columns = headers.Length;
        Console.WriteLine();
        Console.WriteLine("| " + string.Join(" | ", headers) + " |");
        Console.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", headers.Length)));
    }

    public void Row(params object[] cells)
    {
        if (cells.Length != _columns) throw new ArgumentException($"row has {cells.Length} cells, table has {_columns} columns");
        Console.WriteLine("| " + string.Join(" | ", cells.Select(Format)) + " |");
    }

    private static string Format(object cell) => cell switch
    {
        double d when double.IsNaN(d) => "-",
        double d when Math.Abs(d) >= 100 => d.ToString("0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 10 => d.ToString("0.0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 0.01 || d == 0 => d.ToString("0.00", CultureInfo.InvariantCulture),
        double d => d.ToString("0.0e0", CultureInfo.InvariantCulture),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>The model under test: trained weights when given, else ResNet18 with seed-1 random weights.</summary>
internal static class BenchModel
{
    /// <summary>A fresh model (casting for a precision changes the model in place, so each computer needs its own).</summary>
    public static FcnResNet18 Create(string? weightsPath)
    {
        if (weightsPath is not null) return ModelWeights.Load(weightsPath).Model;
        TorchSharp.torch.random.manual_seed(1);
        return new FcnResNet18();
    }

    public static string Describe(string? weightsPath) => weightsPath is null ? "random weights (seed 1)" : $"weights {weightsPath}";

    /// <summary>Sets libtorch's intra-op threads when asked (0 leaves TorchSharp's default).</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
    }
}

internal static class PageCache
{
    /// <summary>Reads a file once so that the figures measure decoding from the page cache, not the disk.</summary>
    public static void Warm(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 22, FileOptions.SequentialScan);
        var buffer = new byte[1 << 22];
        while (file.Read(buffer) > 0) { }
    }
}
