using System.Buffers;

namespace OrleansPathology.Annotations;

/// <summary>Per-call buffers of a fill, rented so that windows filled tile by tile do not allocate per tile.</summary>
internal struct ScanScratch
{
    public ScanEdge[]? Edges;
    public int[]? Active;
    public double[]? Crossings;

    public static T[] Grow<T>(ref T[]? buffer, int needed)
    {
        if (buffer is not null && buffer.Length >= needed) return buffer;
        if (buffer is not null) ArrayPool<T>.Shared.Return(buffer);
        buffer = ArrayPool<T>.Shared.Rent(Math.Max(needed, 16));
        return buffer;
    }

    public void Return()
    {
        if (Edges is not null) ArrayPool<ScanEdge>.Shared.Return(Edges);
        if (Active is not null) ArrayPool<int>.Shared.Return(Active);
        if (Crossings is not null) ArrayPool<double>.Shared.Return(Crossings);
        this = default;
    }
}
