using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using OrleansPathology.Annotations;

namespace OrleansPathology.Tests.Annotations;

public sealed class AsapXmlTests
{
    private static readonly string Test040 = TestData.Annotation("camelyon16-xml/test_040.xml");

    [Fact]
    public void Test040_HasTheCamelyonTumourAndExclusionCounts()
    {
        var annotations = AsapXml.Read(Test040);

        Assert.Equal(34, annotations.Tumour.Count);
        Assert.Equal(44, annotations.Exclusion.Count);
        Assert.All(annotations.Tumour, p => Assert.Equal("_0", p.Group));
        Assert.All(annotations.Exclusion, p => Assert.Equal("_2", p.Group));
    }

    [Fact]
    public void Test040_KeepsEveryCoordinateInOrder()
    {
        var annotations = AsapXml.Read(Test040);
        var all = annotations.Tumour.Concat(annotations.Exclusion).ToList();

        var raw = Regex.Count(File.ReadAllText(Test040), "<Coordinate ");
        Assert.Equal(raw, all.Sum(p => p.Vertices.Count));
        // The first two coordinates of the file, Order 0 and 1 of annotation "_0".
        Assert.Equal("_0", all[0].Name);
        Assert.Equal(new PointD(71992.1, 84248.3), all[0].Vertices[0]);
        Assert.Equal(new PointD(71998.9, 84246), all[0].Vertices[1]);
    }

    [Fact]
    public void Read_SortsCoordinatesByOrderNotDocumentPosition()
    {
        var path = WriteTemp("""
            <ASAP_Annotations><Annotations>
              <Annotation Name="A" Type="Polygon" PartOfGroup="Tumor"><Coordinates>
                <Coordinate Order="2" X="10" Y="10"/>
                <Coordinate Order="0" X="0" Y="0"/>
                <Coordinate Order="3" X="0" Y="10"/>
                <Coordinate Order="1" X="10" Y="0"/>
              </Coordinates></Annotation>
            </Annotations></ASAP_Annotations>
            """);

        var polygon = Assert.Single(AsapXml.Read(path).Tumour);

        Assert.Equal([new(0, 0), new(10, 0), new(10, 10), new(0, 10)], polygon.Vertices);
        Assert.Equal("Tumor", polygon.Group);
    }

    [Fact]
    public void Read_ParsesInvariantNumbersUnderACommaDecimalCulture()
    {
        var before = CultureInfo.CurrentCulture;
        try
        {
            // Built by hand: the tests may run in globalization-invariant mode, where de-DE is not to be had.
            var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            comma.NumberFormat.NumberDecimalSeparator = ",";
            comma.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = comma;
            var first = AsapXml.Read(Test040).Tumour[0].Vertices[0];
            Assert.Equal(new PointD(71992.1, 84248.3), first);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Read_AcceptsTheExclusionGroupName()
    {
        var path = WriteTemp(Document(("T", "_1", Square(0, 0, 10)), ("E", "Exclusion", Square(2, 2, 2))));

        var annotations = AsapXml.Read(path);

        Assert.Equal("T", Assert.Single(annotations.Tumour).Name);
        Assert.Equal("E", Assert.Single(annotations.Exclusion).Name);
    }

    [Fact]
    public void WriteThenRead_Test040_RoundTripsExactly()
    {
        var original = AsapXml.Read(Test040);
        var path = Path.Combine(TestData.NewTempDir(), "copy.xml");

        AsapXml.Write(path, original);
        var copy = AsapXml.Read(path);

        AssertSamePolygons(original.Tumour, copy.Tumour);
        AssertSamePolygons(original.Exclusion, copy.Exclusion);
    }

    [Fact]
    public void WriteThenRead_KeepsAwkwardDoublesBitForBit_AndNormalisesGroups()
    {
        IReadOnlyList<PointD> awkward = [new(0.1 + 0.2, 1e-7), new(123456.78901234567, -3.5), new(double.Epsilon, 99999.99999999999)];
        var original = new SlideAnnotations(
            [new AnnotationPolygon("tumour <&> \"quoted\"", "_1", awkward)],
            [new AnnotationPolygon("hole", "Exclusion", Square(1, 1, 1))]);
        var path = Path.Combine(TestData.NewTempDir(), "awkward.xml");

        AsapXml.Write(path, original);
        var copy = AsapXml.Read(path);

        Assert.Equal(original.Tumour[0].Name, copy.Tumour[0].Name);
        Assert.Equal(awkward, copy.Tumour[0].Vertices);
        Assert.Equal(AsapGroups.Tumour, copy.Tumour[0].Group);
        Assert.Equal(AsapGroups.Exclusion, copy.Exclusion[0].Group);
    }

    [Fact]
    public void Write_ProducesTheAsapLayoutWithGroups()
    {
        var path = Path.Combine(TestData.NewTempDir(), "layout.xml");
        AsapXml.Write(path, new SlideAnnotations(
            [new AnnotationPolygon("t", "_0", Square(0, 0, 4))],
            [new AnnotationPolygon("e", "_2", Square(1, 1, 1))]));

        var root = XDocument.Load(path).Root!;

        Assert.Equal("ASAP_Annotations", root.Name.LocalName);
        var annotations = root.Element("Annotations")!.Elements("Annotation").ToList();
        Assert.Equal(["_0", "_2"], annotations.Select(a => (string)a.Attribute("PartOfGroup")!));
        Assert.All(annotations, a => Assert.Equal("Polygon", (string)a.Attribute("Type")!));
        Assert.Equal(["0", "1", "2", "3"], annotations[0].Element("Coordinates")!.Elements("Coordinate").Select(c => (string)c.Attribute("Order")!));
        var groups = root.Element("AnnotationGroups")!.Elements("Group").ToList();
        Assert.Equal(["_0", "_2"], groups.Select(g => (string)g.Attribute("Name")!));
        Assert.All(groups, g => Assert.Equal("None", (string)g.Attribute("PartOfGroup")!));
    }

    [Fact]
    public void Write_NothingToWrite_IsRefusedRatherThanAFileReadRejects()
    {
        var path = Path.Combine(TestData.NewTempDir(), "empty.xml");

        var error = Assert.Throws<ArgumentException>(() => AsapXml.Write(path, SlideAnnotations.Empty));

        Assert.Contains(path, error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Read_MalformedXml_NamesTheFile()
    {
        var path = WriteTemp("<ASAP_Annotations><Annotations><Annotation Name=\"x\"");

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("XML", error.Message);
    }

    [Fact]
    public void Read_MissingFile_NamesTheFile()
    {
        var path = Path.Combine(TestData.NewTempDir(), "absent.xml");

        var error = Assert.Throws<FileNotFoundException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Read_UnknownGroup_NamesFileAnnotationAndGroup()
    {
        var path = WriteTemp(Document(("Lymphocytes", "Immune", Square(0, 0, 5))));

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'Lymphocytes'", error.Message);
        Assert.Contains("'Immune'", error.Message);
    }

    [Fact]
    public void Read_PolygonWithTwoVertices_NamesFileAndAnnotation()
    {
        var path = WriteTemp(Document(("ok", "_0", Square(0, 0, 5)), ("line", "_0", [new(0, 0), new(5, 5)])));

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("'line'", error.Message);
        Assert.Contains("2 vertices", error.Message);
    }

    [Fact]
    public void Read_NoPolygons_IsAnError()
    {
        var path = WriteTemp("<ASAP_Annotations><Annotations /><AnnotationGroups /></ASAP_Annotations>");

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("no polygon", error.Message);
    }

    [Fact]
    public void Read_ACommaDecimal_IsAnErrorNamingTheValue()
    {
        var path = WriteTemp(Document(("comma", "_0", Square(0, 0, 5))).Replace("X=\"5\"", "X=\"5,5\""));

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("5,5", error.Message);
    }

    [Fact]
    public void Read_WrongRootElement_IsAnError()
    {
        var path = WriteTemp("<svg><rect/></svg>");

        var error = Assert.Throws<InvalidDataException>(() => AsapXml.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("ASAP_Annotations", error.Message);
    }

    internal static IReadOnlyList<PointD> Square(double x, double y, double side) =>
        [new(x, y), new(x + side, y), new(x + side, y + side), new(x, y + side)];

    private static string Document(params (string Name, string Group, IReadOnlyList<PointD> Vertices)[] polygons)
    {
        var annotations = polygons.Select(p => new XElement("Annotation",
            new XAttribute("Name", p.Name), new XAttribute("Type", "Polygon"), new XAttribute("PartOfGroup", p.Group),
            new XElement("Coordinates", p.Vertices.Select((v, i) => new XElement("Coordinate",
                new XAttribute("Order", i), new XAttribute("X", v.X), new XAttribute("Y", v.Y))))));
        return new XElement("ASAP_Annotations", new XElement("Annotations", annotations)).ToString();
    }

    private static string WriteTemp(string xml)
    {
        var path = Path.Combine(TestData.NewTempDir(), "annotations.xml");
        File.WriteAllText(path, xml);
        return path;
    }

    private static void AssertSamePolygons(IReadOnlyList<AnnotationPolygon> expected, IReadOnlyList<AnnotationPolygon> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.Equal(expected[i].Group, actual[i].Group);
            Assert.Equal(expected[i].Vertices, actual[i].Vertices);
        }
    }
}
