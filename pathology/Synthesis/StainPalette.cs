namespace OrleansPathology.Synthesis;

/// <summary>
/// Maps haematoxylin and eosin amounts (one byte each) to RGB by Beer-Lambert absorption, as a brightfield scanner
/// sees stain: I = I0 · exp(-(h·OD_H + e·OD_E + OD_glass)). Working in stain amounts lets textures be added and
/// composited like stain is deposited, and the whole mapping is one 64K-entry table lookup per pixel.
/// Stain vectors: Ruifrok and Johnston, "Quantification of histochemical staining by color deconvolution",
/// Anal Quant Cytol Histol 23(4), 2001 (H = 0.650, 0.704, 0.286; E = 0.072, 0.990, 0.105).
/// </summary>
internal sealed class StainPalette
{
    private static readonly double[] Haematoxylin = [0.650, 0.704, 0.286];
    private static readonly double[] Eosin = [0.072, 0.990, 0.105];

    // Full-scale optical densities for amount 255: deep lymphocyte nuclei reach about OD 1.5 on CAMELYON scans.
    private const double HaematoxylinFullScale = 1.9;
    private const double EosinFullScale = 0.95;

    /// <summary>RGB triplets at index (h &lt;&lt; 8 | e) * 3.</summary>
    public byte[] Table { get; }

    /// <param name="haematoxylinStrength">This slide's stain batch: scales every haematoxylin amount (about 0.85..1.15).</param>
    /// <param name="eosinStrength">As above, for eosin.</param>
    /// <param name="glass">Optical density of bare glass and mounting medium per channel: a light, slightly warm grey.</param>
    public StainPalette(double haematoxylinStrength, double eosinStrength, (double R, double G, double B) glass)
    {
        Table = new byte[256 * 256 * 3];
        double[] glassOd = [glass.R, glass.G, glass.B];
        for (var h = 0; h < 256; h++)
        for (var e = 0; e < 256; e++)
        {
            var odH = h / 255.0 * HaematoxylinFullScale * haematoxylinStrength;
            var odE = e / 255.0 * EosinFullScale * eosinStrength;
            var i = (h << 8 | e) * 3;
            for (var c = 0; c < 3; c++)
                Table[i + c] = (byte)Math.Clamp(Math.Round(255 * Math.Exp(-(odH * Haematoxylin[c] + odE * Eosin[c] + glassOd[c]))), 0, 255);
        }
    }
}
