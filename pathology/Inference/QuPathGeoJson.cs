using System.Text.Json;

namespace OrleansPathology.Inference;

/// <summary>
/// Writes a slide's results as a GeoJSON FeatureCollection that QuPath imports (File > Import objects from file):
/// level-0 pixel coordinates, origin top-left; QuPath's metadata in each feature's <c>properties</c> as QuPath 0.4+
/// writes it: <c>objectType</c>, <c>classification</c> (<c>name</c>, <c>color</c> as [r, g, b]) and <c>measurements</c>
/// as a name-to-number object.
/// </summary>
/// <remarks>
/// Lesions become point annotations classified <c>Tumor</c> with their probability; every computed map cell becomes a
/// square detection with a <c>Tumor probability</c> measurement, so QuPath's Measure > Show measurement maps draws the
/// heatmap over the slide. Cells above the lesion threshold are classified <c>Tumor</c>, the others carry no class.
/// </remarks>
public static class QuPathGeoJson
{
    /// <summary>The measurement name QuPath shows for each cell and lesion.</summary>
    public const string ProbabilityMeasurement = "Tumor probability";

    /// <summary>QuPath's built-in tumour class and its default colour.</summary>
    public const string TumourClass = "Tumor";
    private static readonly int[] TumourColour = [200, 0, 0];

    public static void Write(string path, ProbabilityMap map, IReadOnlyList<Lesion> lesions, float tumourThreshold = LesionDetector.DefaultThreshold)
    {
        var temporary = path + ".partial";
        using (var stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("type", "FeatureCollection");
            json.WriteStartArray("features");
            for (var i = 0; i < lesions.Count; i++) WriteLesion(json, lesions[i], i + 1);
            for (var y = 0; y < map.Height; y++)
            {
                for (var x = 0; x < map.Width; x++)
                {
                    if (map.IsComputed(x, y)) WriteCell(json, map, x, y, map[x, y] > tumourThreshold);
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteLesion(Utf8JsonWriter json, Lesion lesion, int rank)
    {
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WriteString("id", Guid.NewGuid().ToString());
        json.WriteStartObject("geometry");
        json.WriteString("type", "Point");
        json.WriteStartArray("coordinates");
        json.WriteNumberValue(lesion.X);
        json.WriteNumberValue(lesion.Y);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("objectType", "annotation");
        json.WriteString("name", $"Lesion {rank}");
        WriteTumourClass(json);
        WriteProbability(json, lesion.Probability);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteCell(Utf8JsonWriter json, ProbabilityMap map, int x, int y, bool tumour)
    {
        long left = (long)x * map.Stride, top = (long)y * map.Stride, right = left + map.Stride, bottom = top + map.Stride;
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WriteString("id", Guid.NewGuid().ToString());
        json.WriteStartObject("geometry");
        json.WriteString("type", "Polygon");
        json.WriteStartArray("coordinates");
        json.WriteStartArray();
        // A closed ring, counter-clockwise in image coordinates as QuPath writes it; the first point repeats last.
        foreach (var (px, py) in new[] { (left, top), (left, bottom), (right, bottom), (right, top), (left, top) })
        {
            json.WriteStartArray();
            json.WriteNumberValue(px);
            json.WriteNumberValue(py);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteString("objectType", "detection");
        if (tumour) WriteTumourClass(json);
        WriteProbability(json, map[x, y]);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteTumourClass(Utf8JsonWriter json)
    {
        json.WriteStartObject("classification");
        json.WriteString("name", TumourClass);
        json.WriteStartArray("color");
        foreach (var c in TumourColour) json.WriteNumberValue(c);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteProbability(Utf8JsonWriter json, float probability)
    {
        json.WriteStartObject("measurements");
        // Rounded to 6 places: float noise past that only bloats a file of one feature per cell.
        json.WriteNumber(ProbabilityMeasurement, Math.Round(probability, 6));
        json.WriteEndObject();
    }
}
