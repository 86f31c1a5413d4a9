namespace OrleansPathology.Annotations;

/// <summary>Plain geometry on annotation outlines, in level-0 pixels.</summary>
public static class PolygonGeometry
{
    /// <summary>The enclosed area by the shoelace formula (absolute, so either winding counts the same).</summary>
    public static double Area(IReadOnlyList<PointD> vertices)
    {
        if (vertices.Count < 3) return 0;
        // Relative to the first vertex: level-0 coordinates reach 2e5, and their products would lose digits.
        var origin = vertices[0];
        double twiceArea = 0;
        for (var i = 1; i < vertices.Count - 1; i++)
        {
            var a = vertices[i];
            var b = vertices[i + 1];
            twiceArea += (a.X - origin.X) * (b.Y - origin.Y) - (b.X - origin.X) * (a.Y - origin.Y);
        }
        return Math.Abs(twiceArea) / 2;
    }

    /// <summary>The axis-aligned bounding box: min and max X and Y.</summary>
    public static (double MinX, double MinY, double MaxX, double MaxY) Bounds(IReadOnlyList<PointD> vertices)
    {
        if (vertices.Count == 0) throw new ArgumentException("a polygon without vertices has no bounds", nameof(vertices));
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity;
        double maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        foreach (var p in vertices)
        {
            minX = Math.Min(minX, p.X);
            minY = Math.Min(minY, p.Y);
            maxX = Math.Max(maxX, p.X);
            maxY = Math.Max(maxY, p.Y);
        }
        return (minX, minY, maxX, maxY);
    }
}
