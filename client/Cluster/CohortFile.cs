using System.Text.Json;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Cluster;

/// <summary>A cohort file could not be read: missing, not JSON, or missing what a cohort needs. The message names the file.</summary>
internal sealed class CohortFileException(string path, string problem, Exception? inner = null)
    : IOException($"cohort file {path}: {problem}", inner)
{
    /// <summary>The cohort file, as given.</summary>
    public string FilePath { get; } = path;
}

/// <summary>
/// A cohort file as read: its id, its slides with absolute paths, and the weights it names (if any).
/// </summary>
/// <remarks>
/// Two shapes are read, both camelCase JSON with paths relative to the file's folder (absolute paths are kept):
/// the <c>cohort.json</c> that <c>opath synth</c> writes (<c>{"id", "seed", "slides": [{"id", "path", "tissueMask", ...}]}</c>;
/// its tissue mask is used as the slide's precomputed mask), and a plain list
/// <c>{"id", "weights"?, "slides": [{"id", "path", "mask"?}]}</c>. Unknown properties are ignored; comments and
/// trailing commas are allowed, as in a hand-written file.
/// </remarks>
internal sealed record CohortFile(string Path, string? Id, IReadOnlyList<SlideSpec> Slides, string? WeightsPath)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static CohortFile Read(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CohortFileException(path, "not found", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CohortFileException(path, $"cannot be read ({ex.Message})", ex);
        }

        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(text, Json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {ex.BytePositionInLine + 1}" : "";
            throw new CohortFileException(path, $"is not valid cohort JSON{where}: {FirstSentence(ex.Message)}", ex);
        }
        if (document?.Slides is not { Count: > 0 } entries)
            throw new CohortFileException(path, "has no slides (expected {\"id\": ..., \"slides\": [{\"id\": ..., \"path\": ...}, ...]})");

        var folder = System.IO.Path.GetDirectoryName(full)!;
        var slides = new List<SlideSpec>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new CohortFileException(path, $"slide {i + 1} is null");
            if (string.IsNullOrWhiteSpace(entry.Path))
                throw new CohortFileException(path, $"slide {i + 1}{(entry.Id is null ? "" : $" ('{entry.Id}')")} has no \"path\"");
            var slidePath = Resolve(folder, entry.Path);
            var id = string.IsNullOrWhiteSpace(entry.Id) ? System.IO.Path.GetFileNameWithoutExtension(slidePath) : entry.Id;
            var mask = entry.Mask ?? entry.TissueMask;
            slides.Add(new SlideSpec(id, slidePath, string.IsNullOrWhiteSpace(mask) ? null : Resolve(folder, mask)));
        }
        var duplicate = slides.GroupBy(s => s.SlideId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CohortFileException(path, $"names slide id '{duplicate.Key}' {duplicate.Count()} times");

        return new CohortFile(full, string.IsNullOrWhiteSpace(document.Id) ? null : document.Id,
            slides, string.IsNullOrWhiteSpace(document.Weights) ? null : Resolve(folder, document.Weights));
    }

    private static string Resolve(string folder, string path) => System.IO.Path.GetFullPath(path, folder);

    // System.Text.Json appends "Path: $.slides[0] | LineNumber: ..." which the message above already says better.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    private sealed record Document(string? Id, string? Weights, List<Entry?>? Slides);

    private sealed record Entry(string? Id, string? Path, string? Mask, string? TissueMask);
}
