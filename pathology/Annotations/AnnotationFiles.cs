namespace OrleansPathology.Annotations;

/// <summary>Reads either annotation format by its extension: <c>.json</c> is NCRF JSON, anything else ASAP XML.</summary>
public static class AnnotationFiles
{
    // By extension rather than by sniffing content: a broken file then gets the error of the format it claims to be.
    public static SlideAnnotations Read(string path) =>
        string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase) ? NcrfJson.Read(path) : AsapXml.Read(path);
}
