using System.Text.Json;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Cluster;

/// <summary>One slide's outputs as <c>opath results</c> reports them; the file paths are null when not found.</summary>
internal sealed record SlideResult(
    string SlideId,
    RunState State,
    string? OutputDirectory,
    string? Map,
    string? Heatmap,
    string? LesionsCsv,
    int Lesions,
    long CellsDone,
    long CellsTotal,
    string? Error);

/// <summary>A cohort's results: its status and every slide's output files.</summary>
internal sealed record CohortResults(string CohortId, RunState State, DateTimeOffset SubmittedAt, DateTimeOffset? FinishedAt, IReadOnlyList<SlideResult> Slides);

/// <summary>How a cohort's state reads on the console, in JSON and as an exit code.</summary>
internal static class CohortReport
{
    /// <summary>
    /// <see cref="ExitCodes.Success"/> when every slide completed, <see cref="ExitCodes.Failure"/> when none did,
    /// <see cref="ExitCodes.PartialFailure"/> otherwise (some failed, were cancelled or are still running).
    /// </summary>
    public static int ExitCode(CohortStatus status)
    {
        var completed = status.Slides.Count(s => s.State == RunState.Completed);
        return completed == status.Slides.Count ? ExitCodes.Success
            : completed == 0 ? ExitCodes.Failure
            : ExitCodes.PartialFailure;
    }

    public static bool IsRunning(CohortStatus status) => status.State is RunState.Running or RunState.Pending;

    public static string Json<T>(T value) => JsonSerializer.Serialize(value, CliJson.Options);

    /// <summary>A line per slide under a line for the cohort, then a line that counts outcomes.</summary>
    public static void WriteStatus(TextWriter output, CohortStatus status)
    {
        output.WriteLine($"cohort {status.CohortId}: {status.State}, submitted {status.SubmittedAt:u}" +
            (status.FinishedAt is { } finished ? $", finished {finished:u} ({Duration(finished - status.SubmittedAt)})" : ""));
        var width = Math.Max(5, status.Slides.Max(s => s.SlideId.Length));
        foreach (var slide in status.Slides)
        {
            var detail = slide.State switch
            {
                RunState.Completed => $"{slide.CellsTotal:N0} cells, {slide.Lesions} lesion(s)",
                RunState.Failed or RunState.Cancelled when slide.Error is { } error => error,
                _ => slide.CellsTotal > 0
                    ? $"{slide.CellsDone:N0}/{slide.CellsTotal:N0} cells ({Percent(slide.CellsDone, slide.CellsTotal)}), batch {slide.BatchesDone}/{slide.BatchesTotal}"
                    : "planning",
            };
            output.WriteLine($"  {slide.SlideId.PadRight(width)}  {slide.State,-9}  {detail}");
        }
        output.WriteLine($"  {Counts(status)}");
    }

    /// <summary><c>2 of 3 slides completed, 1 failed</c>.</summary>
    public static string Counts(CohortStatus status)
    {
        var byState = status.Slides.GroupBy(s => s.State).ToDictionary(g => g.Key, g => g.Count());
        var parts = new List<string> { $"{byState.GetValueOrDefault(RunState.Completed)} of {status.Slides.Count} slides completed" };
        foreach (var state in new[] { RunState.Failed, RunState.Cancelled, RunState.Running, RunState.Pending })
            if (byState.GetValueOrDefault(state) is > 0 and var n) parts.Add($"{n} {state.ToString().ToLowerInvariant()}");
        return string.Join(", ", parts);
    }

    /// <summary>
    /// Each slide's output files, found in its output folder (<c>{stem}.probmap</c>, <c>{stem}.heatmap.png</c>,
    /// <c>{stem}.csv</c>, named after the slide file). The folder must be visible from this machine for the
    /// paths to be filled in; the status does not carry the slide's file name.
    /// </summary>
    public static CohortResults Results(CohortStatus status) => new(
        status.CohortId, status.State, status.SubmittedAt, status.FinishedAt,
        status.Slides.Select(slide =>
        {
            var (map, heatmap, csv) = FindOutputs(slide.OutputDirectory);
            return new SlideResult(slide.SlideId, slide.State, slide.OutputDirectory, map, heatmap, csv, slide.Lesions,
                slide.CellsDone, slide.CellsTotal, slide.Error);
        }).ToList());

    public static void WriteResults(TextWriter output, CohortResults results)
    {
        output.WriteLine($"cohort {results.CohortId}: {results.State}");
        foreach (var slide in results.Slides)
        {
            output.WriteLine($"  {slide.SlideId}: {slide.State}" + (slide.State == RunState.Completed ? $", {slide.Lesions} lesion(s)" : ""));
            if (slide.Error is { } error) output.WriteLine($"    error    {error}");
            if (slide.OutputDirectory is { } folder)
                output.WriteLine($"    folder   {folder}" + (Directory.Exists(folder) ? ""
                    : slide.State == RunState.Completed ? " (not visible from this machine)" : " (nothing written)"));
            if (slide.Map is { } map) output.WriteLine($"    map      {map}");
            if (slide.Heatmap is { } heatmap) output.WriteLine($"    heatmap  {heatmap}");
            if (slide.LesionsCsv is { } csv) output.WriteLine($"    lesions  {csv}");
        }
    }

    public static string Percent(long done, long total) => total <= 0 ? "0%" : $"{100.0 * done / total:0}%";

    public static string Duration(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0.0}s";

    private static (string? Map, string? Heatmap, string? Csv) FindOutputs(string? folder)
    {
        if (folder is null || !Directory.Exists(folder)) return (null, null, null);
        var map = Directory.EnumerateFiles(folder, "*.probmap").Order(StringComparer.Ordinal).FirstOrDefault();
        if (map is null) return (null, null, null);
        var stem = Path.Combine(folder, Path.GetFileNameWithoutExtension(map));
        return (map, ExistingOrNull(stem + ".heatmap.png"), ExistingOrNull(stem + ".csv"));
    }

    private static string? ExistingOrNull(string path) => File.Exists(path) ? path : null;
}
