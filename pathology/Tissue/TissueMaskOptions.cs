namespace OrleansPathology.Tissue;

/// <summary>
/// How <see cref="TissueDetector"/> makes a mask. With <see cref="Method"/> <see cref="TissueMethod.Otsu"/> the
/// defaults reproduce NCRF's <c>tissue_mask.py</c>; the default method is <see cref="TissueMethod.Robust"/>.
/// </summary>
public sealed record TissueMaskOptions
{
    /// <summary>
    /// The rule. Default <see cref="TissueMethod.Robust"/> (artefact-aware), which everything that computes a mask
    /// without saying otherwise (the cluster's slide planning, <c>opath infer</c>, <c>opath mask</c>) gets.
    /// </summary>
    public TissueMethod Method { get; init; } = TissueMethod.Robust;

    /// <summary>A pyramid level to use as it is; null (the default) picks by <see cref="TargetDownsample"/>.</summary>
    public int? Level { get; init; }

    /// <summary>Level-0 pixels per mask pixel when <see cref="Level"/> is null; a power of two. Default 64 (NCRF level 6).</summary>
    public double TargetDownsample { get; init; } = MaskResolution.NcrfDownsample;

    /// <summary>
    /// Connected tissue components smaller than this many mask pixels are dropped (see <see cref="SmallObjects"/>).
    /// Default 0: NCRF and MONAI keep every pixel the rule passes.
    /// </summary>
    public int MinObjectSize { get; init; }

    /// <summary>
    /// The robust rule's cells that are tissue only by faint colour are read again at a finer level and kept when half
    /// of them is tissue there (<see cref="FaintCellCheck"/>). Default true; false measures its worth.
    /// </summary>
    public bool CheckFaintCells { get; init; } = true;

    /// <summary>The darkness floor of the Otsu rule. Default 50, NCRF's <c>--RGB_min</c>. The robust rule uses <see cref="PenInk.BlackMaximum"/> instead.</summary>
    public byte RgbMinimum { get; init; } = TissueThresholds.NcrfRgbMinimum;
}
