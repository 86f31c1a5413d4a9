using System.Globalization;
using System.Text;
using System.Xml;

namespace OrleansPathology.Inference;

/// <summary>
/// Writes detected lesions as ASAP annotation XML that ASAP opens over the slide: one <c>Dot</c> annotation per lesion
/// in group <c>Lesions</c>, named with its rank and probability (ASAP has no other place for a score), level-0 pixels.
/// </summary>
public static class AsapLesionXml
{
    public const string Group = "Lesions";
    private const string Colour = "#ff0000";

    public static void Write(string path, IReadOnlyList<Lesion> lesions)
    {
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "\t", Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) };
        using var writer = XmlWriter.Create(path, settings);
        writer.WriteStartDocument();
        writer.WriteStartElement("ASAP_Annotations");
        writer.WriteStartElement("Annotations");
        for (var i = 0; i < lesions.Count; i++)
        {
            var lesion = lesions[i];
            writer.WriteStartElement("Annotation");
            writer.WriteAttributeString("Name", string.Create(CultureInfo.InvariantCulture, $"Lesion {i + 1} p={lesion.Probability:0.####}"));
            writer.WriteAttributeString("Type", "Dot");
            writer.WriteAttributeString("PartOfGroup", Group);
            writer.WriteAttributeString("Color", Colour);
            writer.WriteStartElement("Coordinates");
            writer.WriteStartElement("Coordinate");
            writer.WriteAttributeString("Order", "0");
            writer.WriteAttributeString("X", lesion.X.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteAttributeString("Y", lesion.Y.ToString("R", CultureInfo.InvariantCulture));
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
        writer.WriteStartElement("AnnotationGroups");
        writer.WriteStartElement("Group");
        writer.WriteAttributeString("Name", Group);
        writer.WriteAttributeString("PartOfGroup", "None");
        writer.WriteAttributeString("Color", Colour);
        writer.WriteStartElement("Attributes");
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndDocument();
    }
}
