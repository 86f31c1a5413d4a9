using System.Text.Json;

namespace OrleansPathology.Annotations;

/// <summary>
/// Reads the JSON outlines the NCRF project converted from the CAMELYON16 XMLs
/// (<c>{"positive": [{"name", "vertices": [[x, y], ...]}], "negative": [...]}</c>, integer level-0 vertices):
/// <c>positive</c> becomes tumour, <c>negative</c> exclusion, each polygon's group the key it came from.
/// </summary>
/// <remarks>
/// A file with no outline at all is valid here, unlike <see cref="AsapXml"/>: NCRF writes one for every slide,
/// and a normal slide's has no positive outline (Normal_001's holds only negative ones).
/// </remarks>
public static class NcrfJson
{
    public const string PositiveKey = "positive";
    public const string NegativeKey = "negative";

    /// <summary>
    /// Reads an NCRF JSON file. A missing file is a <see cref="FileNotFoundException"/>; malformed JSON, a wrong shape,
    /// a non-finite number or an outline with fewer than 3 vertices is an <see cref="InvalidDataException"/>; every message names the file.
    /// </summary>
    public static SlideAnnotations Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: annotation file not found", path);

        using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not well-formed JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: expected a JSON object with \"{PositiveKey}\" and \"{NegativeKey}\" arrays, found {root.ValueKind}");
            if (!root.TryGetProperty(PositiveKey, out _) && !root.TryGetProperty(NegativeKey, out _))
                throw new InvalidDataException($"{path}: has neither a \"{PositiveKey}\" nor a \"{NegativeKey}\" array; not an NCRF annotation file");
            return new SlideAnnotations(ReadGroup(path, root, PositiveKey), ReadGroup(path, root, NegativeKey));
        }
    }

    private static List<AnnotationPolygon> ReadGroup(string path, JsonElement root, string key)
    {
        var polygons = new List<AnnotationPolygon>();
        if (!root.TryGetProperty(key, out var group)) return polygons;
        if (group.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: \"{key}\" is {group.ValueKind}, expected an array of outlines");

        var index = 0;
        foreach (var entry in group.EnumerateArray())
        {
            var where = $"{key}[{index++}]";
            if (entry.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: {where} is {entry.ValueKind}, expected an object with \"name\" and \"vertices\"");
            var name = entry.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : where;
            if (!entry.TryGetProperty("vertices", out var vertices) || vertices.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{path}: {where} ('{name}') has no \"vertices\" array");

            var points = new List<PointD>(vertices.GetArrayLength());
            foreach (var vertex in vertices.EnumerateArray())
                points.Add(ReadVertex(path, where, name, vertex));
            if (points.Count < 3)
                throw new InvalidDataException($"{path}: {where} ('{name}') has {points.Count} vertices; an outline needs at least 3");
            polygons.Add(new AnnotationPolygon(name, key, points));
        }
        return polygons;
    }

    private static PointD ReadVertex(string path, string where, string name, JsonElement vertex)
    {
        if (vertex.ValueKind == JsonValueKind.Array && vertex.GetArrayLength() == 2
            && vertex[0].ValueKind == JsonValueKind.Number && vertex[1].ValueKind == JsonValueKind.Number
            && vertex[0].TryGetDouble(out var x) && vertex[1].TryGetDouble(out var y)
            && double.IsFinite(x) && double.IsFinite(y))
        {
            if (!AnnotationPolygon.Within(x, y))
                throw new InvalidDataException($"{path}: {where} ('{name}') has vertex ({x}, {y}), beyond ±{AnnotationPolygon.CoordinateLimit:0} level-0 pixels of any slide");
            return new PointD(x, y);
        }
        throw new InvalidDataException($"{path}: {where} ('{name}') has vertex {vertex.GetRawText()}, expected [x, y] with finite numbers");
    }
}
