namespace OrleansPathology.Tissue;

/// <summary>How <see cref="TissueDetector"/> makes a mask. The defaults reproduce NCRF's <c>tissue_mask.py</c>.</summary>
public sealed record TissueMaskOptions
{
    /// <summary>A pyramid level to use as it is; null (the default) picks by <see cref="TargetDownsample"/>.</summary>
    public int? Level { get; init; }

    /// <summary>Level-0 pixels per mask pixel when <see cref="Level"/> is null; a power of two. Default 64 (NCRF level 6).</summary>
    public double TargetDownsample { get; init; } = MaskResolution.NcrfDownsample;

    /// <summary>
    /// Connected tissue components smaller than this many mask pixels are dropped (see <see cref="SmallObjects"/>).
    /// Default 0: NCRF and MONAI keep every pixel the rule passes.
    /// </summary>
    public int MinObjectSize { get; init; }

    /// <summary>The darkness floor of the rule. Default 50, NCRF's <c>--RGB_min</c>.</summary>
    public byte RgbMinimum { get; init; } = TissueThresholds.NcrfRgbMinimum;
}
