namespace OrleansPathology.Annotations;

/// <summary>One non-horizontal edge, as the rows whose centres it crosses and its line through them.</summary>
internal readonly record struct ScanEdge(long StartRow, long EndRow, double YStart, double XStart, double Slope)
{
    public double XAt(double y) => XStart + (y - YStart) * Slope;
}
