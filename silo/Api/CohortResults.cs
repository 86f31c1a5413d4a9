using OrleansPathology.Grains;

namespace OrleansPathology.Silo.Api;

/// <summary>One slide's outputs as this silo sees its output folder; file paths are null when not there.</summary>
public sealed record SlideOutputs(
    string SlideId, RunState State, string? OutputDirectory, string? Map, string? Heatmap, string? LesionsCsv,
    int Lesions, long CellsDone, long CellsTotal, string? Error);

/// <summary>The body of <c>GET /api/v1/cohorts/{id}/results</c>.</summary>
public sealed record CohortOutputs(string CohortId, RunState State, DateTimeOffset SubmittedAt, DateTimeOffset? FinishedAt, IReadOnlyList<SlideOutputs> Slides);

/// <summary>
/// Finds each slide's output files in its folder: <c>{stem}.probmap</c>, <c>{stem}.heatmap.png</c> and <c>{stem}.csv</c>,
/// named after the slide file, as the map grain writes them (and as <c>opath results</c> finds them).
/// </summary>
public static class CohortResults
{
    public static CohortOutputs Of(CohortStatus status) => new(
        status.CohortId, status.State, status.SubmittedAt, status.FinishedAt,
        [.. status.Slides.Select(slide =>
        {
            var (map, heatmap, csv) = FindOutputs(slide.OutputDirectory);
            return new SlideOutputs(slide.SlideId, slide.State, slide.OutputDirectory, map, heatmap, csv, slide.Lesions,
                slide.CellsDone, slide.CellsTotal, slide.Error);
        })]);

    /// <summary>The heatmap PNG of <paramref name="slide"/>, or null while it has none.</summary>
    public static string? HeatmapOf(SlideProgress slide) => slide.State == RunState.Completed ? FindOutputs(slide.OutputDirectory).Heatmap : null;

    private static (string? Map, string? Heatmap, string? Csv) FindOutputs(string? folder)
    {
        if (folder is null || !Directory.Exists(folder)) return (null, null, null);
        var map = Directory.EnumerateFiles(folder, "*.probmap").Order(StringComparer.Ordinal).FirstOrDefault();
        if (map is null) return (null, null, null);
        var stem = Path.Combine(folder, Path.GetFileNameWithoutExtension(map));
        return (map, Existing(stem + ".heatmap.png"), Existing(stem + ".csv"));
    }

    private static string? Existing(string path) => File.Exists(path) ? path : null;
}
