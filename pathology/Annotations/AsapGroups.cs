namespace OrleansPathology.Annotations;

/// <summary>
/// How ASAP's <c>PartOfGroup</c> names map to tumour and exclusion. The groups are the ones the CAMELYON16
/// organisers used with ASAP's AnnotationToMask (label map <c>{"_0": 1, "_1": 1, "_2": 0}</c>, conversion
/// order <c>_0, _1, _2</c>); later CAMELYON releases and other tools spell them <c>Tumor</c> and <c>Exclusion</c>.
/// </summary>
public static class AsapGroups
{
    /// <summary>The group <see cref="AsapXml.Write"/> puts tumour outlines in.</summary>
    public const string Tumour = "_0";

    /// <summary>The group <see cref="AsapXml.Write"/> puts exclusion outlines in.</summary>
    public const string Exclusion = "_2";

    // Ordinal: ASAP itself compares group names exactly, and "_0" vs "_O" typos should fail rather than guess.
    private static readonly HashSet<string> TumourGroups = new(StringComparer.Ordinal) { "_0", "_1", "Tumor" };
    private static readonly HashSet<string> ExclusionGroups = new(StringComparer.Ordinal) { "_2", "Exclusion" };

    public static bool IsTumour(string group) => TumourGroups.Contains(group);

    public static bool IsExclusion(string group) => ExclusionGroups.Contains(group);

    /// <summary>Every group name <see cref="AsapXml.Read"/> accepts, for error messages.</summary>
    public static string KnownNames => string.Join(", ", TumourGroups.Concat(ExclusionGroups));
}
