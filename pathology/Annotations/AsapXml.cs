using System.Globalization;
using System.Text;
using System.Xml;

namespace OrleansPathology.Annotations;

/// <summary>
/// Reads and writes ASAP annotation XML, the format of the CAMELYON16 and CAMELYON17 ground truth:
/// <c>&lt;ASAP_Annotations&gt;&lt;Annotations&gt;&lt;Annotation Name Type PartOfGroup Color&gt;&lt;Coordinates&gt;&lt;Coordinate Order X Y/&gt;</c>,
/// with float level-0 pixel coordinates written in the invariant culture.
/// </summary>
/// <remarks>
/// Groups: <c>_0</c>, <c>_1</c> and <c>Tumor</c> are tumour; <c>_2</c> and <c>Exclusion</c> are exclusion (see <see cref="AsapGroups"/>).
/// An outline in any other group (including ASAP's <c>None</c>) is an error naming the file, the annotation and the group:
/// guessing its meaning would silently change the ground truth that FROC scores against.
/// Types: <c>Polygon</c>, <c>Rectangle</c> and <c>Spline</c> are read as closed outlines through their points
/// (a spline as the polygon of its control points); <c>Dot</c>, <c>PointSet</c> and <c>Measurement</c> enclose no area and are skipped.
/// </remarks>
public static class AsapXml
{
    private static readonly HashSet<string> OutlineTypes = new(StringComparer.Ordinal) { "Polygon", "Rectangle", "Spline" };
    private static readonly HashSet<string> AreaFreeTypes = new(StringComparer.Ordinal) { "Dot", "PointSet", "Measurement" };

    // The colours of the CAMELYON16 files (test_040.xml), so a written file looks in ASAP as the originals do:
    // every outline in ASAP's default yellow, the groups green and blue.
    private const string OutlineColour = "#F4FA58";
    private const string TumourGroupColour = "#00ff00";
    private const string ExclusionGroupColour = "#0000ff";

    /// <summary>
    /// Reads an ASAP XML file. A missing file is a <see cref="FileNotFoundException"/>; malformed XML, an unknown group
    /// or type, a bad number, an outline with fewer than 3 vertices, or no outline at all is an
    /// <see cref="InvalidDataException"/>; every message names the file.
    /// </summary>
    public static SlideAnnotations Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: annotation file not found", path);
        try
        {
            return ReadStreaming(path);
        }
        catch (XmlException ex)
        {
            throw new InvalidDataException($"{path}: not well-formed XML: {ex.Message}", ex);
        }
    }

    // Streamed with an XmlReader, never a whole tree: memory grows with the vertices kept (16 bytes each), not with the
    // file's elements and attributes (a 10-million-vertex file took 3.5 GB as an XDocument).
    private static SlideAnnotations ReadStreaming(string path)
    {
        var settings = new XmlReaderSettings
        {
            IgnoreComments = true, IgnoreWhitespace = true, IgnoreProcessingInstructions = true, DtdProcessing = DtdProcessing.Prohibit,
        };
        using var reader = XmlReader.Create(path, settings);
        reader.MoveToContent();
        if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "ASAP_Annotations")
            throw new InvalidDataException($"{path}: not an ASAP annotation file (root element is <{reader.LocalName}>, expected <ASAP_Annotations>)");

        var tumour = new List<AnnotationPolygon>();
        var exclusion = new List<AnnotationPolygon>();
        var index = 0;
        foreach (var _ in ChildElements(reader, "Annotations"))
        {
            foreach (var __ in ChildElements(reader, "Annotation"))
            {
                var name = reader.GetAttribute("Name") ?? $"Annotation {index}";
                index++;
                var type = reader.GetAttribute("Type") ?? "Polygon";
                if (AreaFreeTypes.Contains(type)) continue;
                if (!OutlineTypes.Contains(type))
                    throw new InvalidDataException($"{path}: annotation '{name}' has type '{type}', which is neither an outline (Polygon, Rectangle, Spline) nor a point type");

                var group = reader.GetAttribute("PartOfGroup") ?? "None";
                var into = AsapGroups.IsTumour(group) ? tumour
                    : AsapGroups.IsExclusion(group) ? exclusion
                    : throw new InvalidDataException($"{path}: annotation '{name}' is in group '{group}', which is neither tumour nor exclusion (known groups: {AsapGroups.KnownNames})");

                var vertices = ReadVertices(path, name, reader);
                if (vertices.Count < 3)
                    throw new InvalidDataException($"{path}: annotation '{name}' has {vertices.Count} vertices; an outline needs at least 3");
                into.Add(new AnnotationPolygon(name, group, vertices));
            }
        }
        reader.Read();

        if (tumour.Count + exclusion.Count == 0)
            throw new InvalidDataException($"{path}: no polygon annotation in any known group ({AsapGroups.KnownNames})");
        return new SlideAnnotations(tumour, exclusion);
    }

    /// <summary>
    /// With <paramref name="reader"/> on an element's start, stops on each direct child element named
    /// <paramref name="name"/> (other children are skipped whole) and leaves the reader on the element's end (or on
    /// its start when it is empty). The caller may leave a child untouched or read it to its end, as this does.
    /// </summary>
    private static IEnumerable<int> ChildElements(XmlReader reader, string name)
    {
        if (reader.IsEmptyElement) yield break;
        var depth = reader.Depth;
        reader.Read();
        while (!reader.EOF && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                reader.Read();
                continue;
            }
            if (reader.LocalName != name || reader.NamespaceURI.Length != 0)
            {
                reader.Skip();
                continue;
            }
            var child = reader.Depth;
            yield return child;
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == child) reader.Skip(); // left untouched
            else if (reader.NodeType == XmlNodeType.EndElement && reader.Depth == child) reader.Read(); // read to its end
        }
    }

    /// <summary>
    /// Writes ASAP XML that ASAP and <see cref="Read"/> accept: tumour outlines in group <c>_0</c>, exclusion in <c>_2</c>,
    /// with the <c>AnnotationGroups</c> section ASAP expects. Names and vertices round-trip exactly (shortest
    /// round-trip number formatting); the source group of a tumour outline (<c>_1</c>, <c>Tumor</c>) becomes <c>_0</c>.
    /// Annotations without any outline are an <see cref="ArgumentException"/>: <see cref="Read"/> would reject the file,
    /// and CAMELYON16 ships no XML at all for a normal slide, so write none.
    /// </summary>
    public static void Write(string path, SlideAnnotations annotations)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(annotations);
        if (annotations.Tumour.Count + annotations.Exclusion.Count == 0)
            throw new ArgumentException($"{path}: no outline to write; a slide without annotations has no ASAP file", nameof(annotations));

        var settings = new XmlWriterSettings { Indent = true, IndentChars = "\t", Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) };
        using var writer = XmlWriter.Create(path, settings);
        writer.WriteStartDocument();
        writer.WriteStartElement("ASAP_Annotations");
        writer.WriteStartElement("Annotations");
        foreach (var polygon in annotations.Tumour) WriteAnnotation(writer, polygon, AsapGroups.Tumour);
        foreach (var polygon in annotations.Exclusion) WriteAnnotation(writer, polygon, AsapGroups.Exclusion);
        writer.WriteEndElement();

        writer.WriteStartElement("AnnotationGroups");
        WriteGroup(writer, AsapGroups.Tumour, TumourGroupColour);
        WriteGroup(writer, AsapGroups.Exclusion, ExclusionGroupColour);
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    private static List<PointD> ReadVertices(string path, string name, XmlReader reader)
    {
        var points = new List<PointD>();
        // Orders are kept only once one differs from its position (ASAP writes 0, 1, 2...; hand-written files omit them):
        // every earlier point had its position as its order.
        List<double>? orders = null;
        foreach (var _ in ChildElements(reader, "Coordinates"))
        {
            foreach (var __ in ChildElements(reader, "Coordinate"))
            {
                var x = ParseNumber(path, name, reader, "X");
                var y = ParseNumber(path, name, reader, "Y");
                if (!AnnotationPolygon.Within(x, y))
                    throw new InvalidDataException($"{path}: annotation '{name}' has vertex ({x}, {y}), beyond ±{AnnotationPolygon.CoordinateLimit:0} level-0 pixels of any slide");
                // Order is optional in practice (hand-written files omit it); document order stands in.
                var order = reader.GetAttribute("Order") is null ? points.Count : ParseNumber(path, name, reader, "Order");
                if (orders is null && order != points.Count)
                {
                    orders = new List<double>(points.Count + 1);
                    for (var i = 0; i < points.Count; i++) orders.Add(i);
                }
                orders?.Add(order);
                points.Add(new PointD(x, y));
            }
        }
        if (orders is null) return points;
        // Position breaks ties so a file with repeated Order values keeps its document order.
        var index = Enumerable.Range(0, points.Count).ToArray();
        Array.Sort(index, (a, b) => orders[a] != orders[b] ? orders[a].CompareTo(orders[b]) : a.CompareTo(b));
        return index.Select(i => points[i]).ToList();
    }

    private static double ParseNumber(string path, string name, XmlReader coordinate, string attribute)
    {
        var text = coordinate.GetAttribute(attribute)
            ?? throw new InvalidDataException($"{path}: annotation '{name}' has a Coordinate without {attribute}");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new InvalidDataException($"{path}: annotation '{name}' has {attribute}=\"{text}\", not a finite number");
        return value;
    }

    private static void WriteAnnotation(XmlWriter writer, AnnotationPolygon polygon, string group)
    {
        writer.WriteStartElement("Annotation");
        writer.WriteAttributeString("Name", polygon.Name);
        writer.WriteAttributeString("Type", "Polygon");
        writer.WriteAttributeString("PartOfGroup", group);
        writer.WriteAttributeString("Color", OutlineColour);
        writer.WriteStartElement("Coordinates");
        for (var i = 0; i < polygon.Vertices.Count; i++)
        {
            writer.WriteStartElement("Coordinate");
            writer.WriteAttributeString("Order", i.ToString(CultureInfo.InvariantCulture));
            writer.WriteAttributeString("X", polygon.Vertices[i].X.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteAttributeString("Y", polygon.Vertices[i].Y.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    private static void WriteGroup(XmlWriter writer, string name, string colour)
    {
        writer.WriteStartElement("Group");
        writer.WriteAttributeString("Name", name);
        writer.WriteAttributeString("PartOfGroup", "None");
        writer.WriteAttributeString("Color", colour);
        writer.WriteStartElement("Attributes");
        writer.WriteEndElement();
        writer.WriteEndElement();
    }
}
