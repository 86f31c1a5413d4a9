using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using OrleansPathology.Inference;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Inference;

/// <summary>The per-slide files that QuPath and ASAP open, written for a real slide and read back as those tools read them.</summary>
public sealed class ResultFilesTests
{
    private static (InferenceOutputPaths Paths, IReadOnlyList<Lesion> Lesions, ProbabilityMap Map) WriteForRealSlide()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64);
        var map = ProbabilityMap.For(grid);
        for (var y = 5; y < 20; y++)
        {
            for (var x = 5; x < 20; x++) map[x, y] = 0.1f;
        }
        map[10, 12] = 0.93f;
        map[30, 40] = 0.71f;
        map[31, 40] = 0.4f; // computed, below the threshold
        var dir = TestData.NewTempDir();
        var lesions = InferenceOutputs.Write(dir, slide, map);
        return (InferenceOutputPaths.For(dir, slide.Path), lesions, map);
    }

    [Fact]
    public void GeoJson_HoldsLesionPointAnnotations_AndOneDetectionPerComputedCell_InQuPathsConventions()
    {
        var (paths, lesions, map) = WriteForRealSlide();

        using var json = JsonDocument.Parse(File.ReadAllBytes(paths.GeoJson));
        Assert.Equal("FeatureCollection", json.RootElement.GetProperty("type").GetString());
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        var points = features.Where(f => f.GetProperty("geometry").GetProperty("type").GetString() == "Point").ToList();
        var cells = features.Where(f => f.GetProperty("properties").GetProperty("objectType").GetString() == "detection").ToList();

        Assert.Equal(2, lesions.Count);
        Assert.Equal(2, points.Count);
        Assert.Equal(map.ComputedCount(), cells.Count);
        var first = points[0];
        Assert.Equal("annotation", first.GetProperty("properties").GetProperty("objectType").GetString());
        Assert.Equal("Tumor", first.GetProperty("properties").GetProperty("classification").GetProperty("name").GetString());
        Assert.Equal(0.93, first.GetProperty("properties").GetProperty("measurements").GetProperty(QuPathGeoJson.ProbabilityMeasurement).GetDouble(), 5);
        Assert.Equal([10 * 64 + 32, 12 * 64 + 32], first.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble()));

        // The cell at (31, 40): a closed square of 64 level-0 px, unclassified, with its probability.
        var cell = cells.Single(f => Math.Abs(f.GetProperty("properties").GetProperty("measurements").GetProperty(QuPathGeoJson.ProbabilityMeasurement).GetDouble() - 0.4) < 1e-6);
        var ring = cell.GetProperty("geometry").GetProperty("coordinates")[0].EnumerateArray()
            .Select(p => (p[0].GetInt64(), p[1].GetInt64())).ToList();
        Assert.Equal(5, ring.Count);
        Assert.Equal(ring[0], ring[^1]);
        Assert.Equal((31 * 64L, 40 * 64L), ring.Min());
        Assert.Equal((32 * 64L, 41 * 64L), ring.Max());
        Assert.False(cell.GetProperty("properties").TryGetProperty("classification", out _));
    }

    [Fact]
    public void AsapXml_HoldsOneDotPerLesion_InTheLesionsGroup()
    {
        var (paths, lesions, _) = WriteForRealSlide();

        var root = XDocument.Load(paths.LesionsXml).Root!;
        var dots = root.Element("Annotations")!.Elements("Annotation").ToList();
        Assert.Equal(lesions.Count, dots.Count);
        Assert.All(dots, d => Assert.Equal(("Dot", AsapLesionXml.Group), ((string)d.Attribute("Type")!, (string)d.Attribute("PartOfGroup")!)));
        var coordinate = dots[1].Element("Coordinates")!.Element("Coordinate")!;
        Assert.Equal((30 * 64 + 32.0, 40 * 64 + 32.0),
            (double.Parse((string)coordinate.Attribute("X")!, CultureInfo.InvariantCulture), double.Parse((string)coordinate.Attribute("Y")!, CultureInfo.InvariantCulture)));
        Assert.Contains("p=0.71", (string)dots[1].Attribute("Name")!);
        Assert.Equal(AsapLesionXml.Group, (string)root.Element("AnnotationGroups")!.Element("Group")!.Attribute("Name")!);
    }
}
