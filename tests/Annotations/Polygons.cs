using OrleansPathology.Annotations;

namespace OrleansPathology.Tests.Annotations;

/// <summary>Outlines with known areas, and an independent per-pixel reference for the scanline fill.</summary>
internal static class Polygons
{
    public static AnnotationPolygon Rectangle(string name, double x0, double y0, double x1, double y1) =>
        new(name, "_0", [new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1)]);

    /// <summary>A regular polygon: a circle for many vertices, a rotated square for 4.</summary>
    public static AnnotationPolygon Regular(string name, double cx, double cy, double radius, int vertices, double rotation = 0) =>
        new(name, "_0", [.. Enumerable.Range(0, vertices).Select(k =>
        {
            var angle = rotation + 2 * Math.PI * k / vertices;
            return new PointD(cx + radius * Math.Cos(angle), cy + radius * Math.Sin(angle));
        })]);

    public static SlideAnnotations Tumour(params AnnotationPolygon[] polygons) => new(polygons, []);

    /// <summary>
    /// Whether a point is inside by the even-odd rule, counted the slow way (every edge, one point): an edge
    /// from y_a to y_b counts when y_a ≤ y &lt; y_b and it crosses at or left of x. The same rule as the fill,
    /// reached independently.
    /// </summary>
    public static bool Contains(AnnotationPolygon polygon, double x, double y)
    {
        var inside = false;
        var v = polygon.Vertices;
        for (var i = 0; i < v.Count; i++)
        {
            var a = v[i];
            var b = v[(i + 1) % v.Count];
            if (a.Y > b.Y) (a, b) = (b, a);
            if (!(a.Y <= y && y < b.Y)) continue;
            var crossing = a.X + (y - a.Y) * ((b.X - a.X) / (b.Y - a.Y));
            if (crossing <= x) inside = !inside;
        }
        return inside;
    }

    /// <summary>The label a pixel centre gets: 1 inside any tumour outline and no exclusion outline.</summary>
    public static byte Label(SlideAnnotations annotations, double x, double y) =>
        annotations.Tumour.Any(p => Contains(p, x, y)) && !annotations.Exclusion.Any(p => Contains(p, x, y)) ? (byte)1 : (byte)0;
}
