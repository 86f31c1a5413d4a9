namespace OrleansPathology.Annotations;

/// <summary>A point in level-0 pixel coordinates (annotations use fractional coordinates).</summary>
public readonly record struct PointD(double X, double Y);

/// <summary>One annotated outline: its name, the group it belongs to in the source file, and its level-0 vertices.</summary>
public sealed record AnnotationPolygon(string Name, string Group, IReadOnlyList<PointD> Vertices)
{
    /// <summary>Vertices lie within ±1e7 level-0 pixels: beyond any slide, and where pixel arithmetic stays exact.</summary>
    public const double CoordinateLimit = 1e7;

    public static bool Within(double x, double y) => Math.Abs(x) <= CoordinateLimit && Math.Abs(y) <= CoordinateLimit;
}

/// <summary>
/// A slide's annotations, split as CAMELYON16 scores them: tumour outlines, and exclusion outlines
/// (normal tissue inside a tumour, or regions the pathologist left out) that are cut out of the tumour.
/// </summary>
public sealed record SlideAnnotations(IReadOnlyList<AnnotationPolygon> Tumour, IReadOnlyList<AnnotationPolygon> Exclusion)
{
    public static SlideAnnotations Empty { get; } = new([], []);
}
