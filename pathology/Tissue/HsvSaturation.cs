namespace OrleansPathology.Tissue;

/// <summary>HSV saturation as scikit-image's <c>rgb2hsv</c> defines it, quantised to a byte.</summary>
public static class HsvSaturation
{
    /// <summary>
    /// round(255 * (max - min) / max), and 0 for black (max 0), as <c>rgb2hsv</c> does.
    /// NCRF runs Otsu on the float saturation (256 bins over its [min, max]); on a byte the bins are the
    /// 256 steps of 1/255 instead, so a threshold can differ from the Python one by under one step,
    /// which moves only pixels whose saturation lies within 1/255 of it. In exchange the rule is all
    /// integer: saturation &gt; threshold compares bytes, and a threshold is a byte that can be written down.
    /// </summary>
    public static byte Of(byte r, byte g, byte b)
    {
        var max = Math.Max(r, Math.Max(g, b));
        if (max == 0) return 0;
        var min = Math.Min(r, Math.Min(g, b));
        return (byte)((255 * (max - min) + max / 2) / max);
    }
}
