using System.Text.Json;
using OrleansPathology.Annotations;

namespace OrleansPathology.Tests.Annotations;

public sealed class NcrfJsonTests
{
    private static string[] Names() =>
        [.. Directory.GetFiles(TestData.Annotation("ncrf-json"), "*.json").Select(p => Path.GetFileName(p)).Order()];

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var name in Names()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EachFile_MatchesARawJsonCount(string name)
    {
        var path = TestData.Annotation(Path.Combine("ncrf-json", name));
        using var raw = JsonDocument.Parse(File.ReadAllText(path));

        var annotations = NcrfJson.Read(path);

        AssertMatches(raw.RootElement.GetProperty("positive"), annotations.Tumour, "positive");
        AssertMatches(raw.RootElement.GetProperty("negative"), annotations.Exclusion, "negative");
    }

    [Fact]
    public void Files_AreAllThere()
    {
        Assert.Equal(["Normal_001.json", "Tumor_001.json", "Tumor_011.json", "Tumor_016.json", "Tumor_107.json", "Tumor_110.json"], Names());
    }

    [Fact]
    public void Normal001_HasNoTumourOnlyExclusions()
    {
        var annotations = NcrfJson.Read(TestData.Annotation("ncrf-json/Normal_001.json"));

        Assert.Empty(annotations.Tumour);
        Assert.Equal(4, annotations.Exclusion.Count);
    }

    [Fact]
    public void Tumor110_FirstVertexIsTheFilesFirst()
    {
        var first = NcrfJson.Read(TestData.Annotation("ncrf-json/Tumor_110.json")).Tumour[0];

        Assert.Equal("Annotation 0", first.Name);
        Assert.Equal(new PointD(32841, 14390), first.Vertices[0]);
        Assert.Equal(new PointD(32861, 14331), first.Vertices[1]);
    }

    [Fact]
    public void Malformed_NamesTheFile()
    {
        var path = WriteTemp("{\"positive\": [{\"name\": \"a\", \"vertices\": [[1, 2], [3, ");

        var error = Assert.Throws<InvalidDataException>(() => NcrfJson.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("JSON", error.Message);
    }

    [Fact]
    public void TwoVertexOutline_NamesFileAndOutline()
    {
        var path = WriteTemp("{\"positive\": [], \"negative\": [{\"name\": \"sliver\", \"vertices\": [[1, 2], [3, 4]]}]}");

        var error = Assert.Throws<InvalidDataException>(() => NcrfJson.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("negative[0]", error.Message);
        Assert.Contains("'sliver'", error.Message);
    }

    [Fact]
    public void BadVertex_NamesTheValue()
    {
        var path = WriteTemp("{\"positive\": [{\"name\": \"a\", \"vertices\": [[1, 2], [3, 4], [\"5\", 6]]}]}");

        var error = Assert.Throws<InvalidDataException>(() => NcrfJson.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("[\"5\", 6]", error.Message);
    }

    [Fact]
    public void MissingFile_NamesTheFile()
    {
        var path = Path.Combine(TestData.NewTempDir(), "absent.json");

        var error = Assert.Throws<FileNotFoundException>(() => NcrfJson.Read(path));

        Assert.Contains(path, error.Message);
    }

    private static void AssertMatches(JsonElement raw, IReadOnlyList<AnnotationPolygon> parsed, string group)
    {
        Assert.Equal(raw.GetArrayLength(), parsed.Count);
        var i = 0;
        foreach (var entry in raw.EnumerateArray())
        {
            Assert.Equal(entry.GetProperty("name").GetString(), parsed[i].Name);
            Assert.Equal(group, parsed[i].Group);
            Assert.Equal(entry.GetProperty("vertices").GetArrayLength(), parsed[i].Vertices.Count);
            i++;
        }
    }

    private static string WriteTemp(string json)
    {
        var path = Path.Combine(TestData.NewTempDir(), "annotations.json");
        File.WriteAllText(path, json);
        return path;
    }
}
