namespace OrleansPathology.Tissue;

/// <summary>What a pixel that is certainly not stained tissue is, by its colour alone.</summary>
public enum ArtefactColour : byte
{
    None = 0,

    /// <summary>Black, grey or grey-brown: black marker, dust, air-bubble rims, cover-slip edges, scanner borders.</summary>
    Dark,

    /// <summary>Green, cyan or blue-green marker: green is above red, which neither haematoxylin nor eosin gives.</summary>
    Green,

    /// <summary>Blue marker: far bluer than haematoxylin ever is.</summary>
    Blue,

    /// <summary>Red marker: saturated pure red, without the blue that eosin's pink carries.</summary>
    Red,
}

/// <summary>
/// Hue-aware colour rules for artefacts, in the spirit of HistoQC's and histolab's pen filters but written
/// against what stains can produce rather than as lists of RGB boxes. Haematoxylin absorbs red and green
/// about equally and eosin absorbs green most, so in H&amp;E (and in haematoxylin-counterstained IHC) green is
/// never well above red, and the hue stays between violet and pink (240 to 360 degrees). Thresholds are
/// fractions of the brightest channel so that ink blended with glass at a stroke's edge is judged the same.
/// </summary>
public static class PenInk
{
    /// <summary>
    /// Every channel at or under this is black whatever its hue: NCRF's <c>RGB_min</c> (50), kept for pixels
    /// where it is right (ink, scanner borders) and no longer applied channel by channel, which dropped folds.
    /// </summary>
    public const int BlackMaximum = TissueThresholds.NcrfRgbMinimum;

    /// <summary>Grey pixels darker than this are debris or rims, not tissue: stained tissue this dark is saturated.</summary>
    public const int GreyMaximum = 160;

    /// <summary>A dark pixel is grey when max - min is under max / <see cref="GreySpread"/> (saturation under 0.17; IHC kidney counterstain reaches 0.19).</summary>
    public const int GreySpread = 6;

    /// <summary>
    /// A dark pixel is grey-brown, as dust and debris are, when its saturation is under 0.25 and blue is its
    /// weakest channel; dense tissue this dull is purple (green weakest) and stays tissue.
    /// </summary>
    public const int BrownSpread = 4;

    /// <summary>
    /// Under this brightness a pixel with saturation under 0.42 is black ink over tissue or glass (which tints it,
    /// and JPEG's chroma subsampling tints it further); tissue this dark (folds, dense nuclei) is saturated purple.
    /// </summary>
    public const int VeryDarkMaximum = 100;

    /// <summary>Saturation bound of <see cref="VeryDarkMaximum"/> pixels, as spread * 12 &lt; max * 5.</summary>
    public const double VeryDarkSaturation = 5.0 / 12;

    /// <summary>Green above red by a tenth of the brightest channel is ink (IHC kidney tiles reach 0.06, green pen 0.16 at its faintest edge).</summary>
    public const int GreenOverRed = 10;

    /// <summary>Blue above red by 45% of blue, on a blue of 140 or more, is blue ink (dense haematoxylin reaches 0.38).</summary>
    public const double BlueOverRed = 0.45;

    /// <summary>
    /// Pure red's saturation floor, 0.45 on the byte scale: red marker thinned over glass is still pure red, where eosin
    /// carries blue (its hue lies under 340 degrees at the mask's resolution). Lower (0.3) takes full-resolution eosin
    /// of hue 350 (histolab's medium-nuclei-score-level1, saturation 0.44) for ink.
    /// </summary>
    public const int RedSaturation = 115;

    /// <summary>Dark crimson ink: brightest channel under this, saturation at least 0.4 (102 on the byte scale).</summary>
    public const int DarkRedMaximum = 150;

    public const int DarkRedSaturation = 102;

    public static ArtefactColour Of(byte r, byte g, byte b)
    {
        int max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
        var spread = max - min;
        if (max <= BlackMaximum) return ArtefactColour.Dark;
        if (max < GreyMaximum && spread * GreySpread < max) return ArtefactColour.Dark;
        if (max < GreyMaximum && spread * BrownSpread < max && b == min) return ArtefactColour.Dark;
        if (max < VeryDarkMaximum && spread < VeryDarkSaturation * max) return ArtefactColour.Dark;
        if (b >= 140 && b == max && (b - r) >= BlueOverRed * b) return ArtefactColour.Blue;
        if ((g - r) * GreenOverRed >= max && g - r >= 3) return ArtefactColour.Green;
        if (r == max)
        {
            // Pure red: blue no more than a third of the way from green to red (hue 340 to 360, or orange).
            if (spread * 255 >= RedSaturation * max && (b - g) * 3 <= r - g) return ArtefactColour.Red;
            // Dark crimson ink (hue 330 to 345): eosin this hue is bright; eosin-rich folds are bluer (hue under 330).
            if (max < DarkRedMaximum && spread * 255 >= DarkRedSaturation * max && (b - g) * 2 <= r - g) return ArtefactColour.Red;
        }
        return ArtefactColour.None;
    }

    public static bool IsArtefact(byte r, byte g, byte b) => Of(r, g, b) != ArtefactColour.None;
}
