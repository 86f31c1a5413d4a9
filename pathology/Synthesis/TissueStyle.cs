namespace OrleansPathology.Synthesis;

/// <summary>
/// The look of the synthetic lymph node, in stain amounts (0..255, see <see cref="StainPalette"/>) and level-0
/// pixels at 0.243 um/px. Normal tissue varies from dense lymphoid areas (packed small dark nuclei over pale
/// ground) to loose stroma (pink fibres, scattered slender nuclei). Tumour is sheets of large, pale, irregular
/// nuclei with nucleoli over purplish-pink cytoplasm and no fibres. Its cytoplasm is set so that a tumour area's
/// mean colour falls among those of dense normal areas: a colour histogram does not separate them, nuclear size,
/// spacing and chromatin do (the Synthesis tests assert both).
/// </summary>
internal static class TissueStyle
{
    // Bare glass: a trace of both stains plus grain, so background reads light grey, never pure white.
    public const int GlassHaematoxylin = 3;
    public const int GlassEosin = 5;

    // Normal ground between cells: eosin from dense (follicle) to loose (stroma); fibres add up to FibreEosin.
    public const int DenseGroundEosin = 56;
    public const int LooseGroundEosin = 60;
    public const int GroundHaematoxylin = 16;
    public const int DenseFibreEosin = 24;
    public const int LooseFibreEosin = 84;

    // Tumour cytoplasm: amphophilic (both stains), no fibres.
    public const int TumourCytoplasmHaematoxylin = 38;
    public const int TumourCytoplasmEosin = 84;

    /// <summary>Grid pitch of normal nuclei: ~7.3 um, so fully occupied cells pack lymphocytes as in a follicle.</summary>
    public const int NormalCell = 30;

    /// <summary>Grid pitch of tumour nuclei: ~11 um, crowded large nuclei that touch and overlap.</summary>
    public const int TumourCell = 46;

    /// <summary>Scale of the dense/loose field: follicles and cords of a few hundred microns.</summary>
    public const double DensitySpacing = 1800;

    /// <summary>Scale on which fibre bundles strengthen and fade, ~100 um.</summary>
    public const double BundleSpacing = 420;

    /// <summary>Share of normal grid cells holding a nucleus, from loose to dense.</summary>
    public const double LooseOccupancy = 0.10, DenseOccupancy = 0.88;

    /// <summary>Share of tumour grid cells holding a nucleus.</summary>
    public const double TumourOccupancy = 0.85;

    /// <summary>Maps the density field (0..1) to how dense the ground is (0 loose .. 1 dense): a soft step, so most tissue is clearly one or the other.</summary>
    public static double Density(double field)
    {
        var t = Math.Clamp((field - 0.38) / 0.24, 0, 1);
        return t * t * (3 - 2 * t);
    }
}
