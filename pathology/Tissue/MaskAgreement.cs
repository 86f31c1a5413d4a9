namespace OrleansPathology.Tissue;

/// <summary>How far two masks of one size agree.</summary>
public static class MaskAgreement
{
    /// <summary>Intersection over union of the non-zero pixels; 1 when both are empty.</summary>
    public static double IoU(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"masks of {a.Length} and {b.Length} pixels cannot be compared");
        long both = 0, either = 0;
        for (var i = 0; i < a.Length; i++)
        {
            bool x = a[i] != 0, y = b[i] != 0;
            if (x && y) both++;
            if (x || y) either++;
        }
        return either == 0 ? 1 : (double)both / either;
    }
}
