using OrleansPathology.Imaging;

namespace OrleansPathology.Tissue;

/// <summary>
/// A tissue rule that survives real slides, in five steps over the image at the mask's resolution:
/// <list type="number">
/// <item>pen ink (black, blue, green, red) and grey debris are told by colour (<see cref="PenInk"/>) and left out
/// of everything that follows, so they neither count as tissue nor pull the Otsu thresholds up; red ink faded to
/// pink (a stroke under mountant, a blurred edge) is ink where it joins sure red ink (<see cref="FadedInk"/>);</item>
/// <item>stained tissue: the NCRF rule with Otsu thresholds of the remaining pixels, without the per-channel
/// darkness floor (which cut dark folds out);</item>
/// <item>faint tissue: pink or purple pixels above a second, lower saturation threshold set just above the glass's
/// own saturation, kept only where they form regions at least <see cref="FaintCoreRadius"/> * 2 + 1 pixels wide, so the
/// one- or two-pixel blend of tissue and glass along every edge does not grow the mask;</item>
/// <item>rims of air bubbles crossing tissue (grey pixels inside a closing of the mask) become tissue again;</item>
/// <item>thin lines along ink (a stroke's edge blended with glass reads as faint colour) are removed by an opening,
/// keeping everything within <see cref="EdgeKeepRadius"/> pixels of tissue that survives it.</item>
/// </list>
/// </summary>
public static class ArtefactAwareRule
{
    /// <summary>The faint threshold sits this far (on the byte scale, about 0.03) above the glass's saturation: glass noise stays under it.</summary>
    public const int FaintMargin = 8;

    /// <summary>
    /// The faint threshold is never under a quarter of the stained one, so the faint pass does not reach into the
    /// glass's noise on slides whose glass is tinted.
    /// </summary>
    public const int FaintShare = 4;

    /// <summary>Faint tissue may be this much brighter than the glass's median brightest channel: JPEG and scanner noise.</summary>
    public const int GlassBrightnessMargin = 4;

    /// <summary>Faint pixels count when most (13 of 25) of their 5x5 neighbourhood is faint too: radius 2.</summary>
    public const int FaintCoreRadius = 2;

    /// <summary>Opening radius 1 (3x3) removes lines up to two mask pixels wide: 32 um at 64x and 0.25 um/px.</summary>
    public const int ThinRadius = 1;

    /// <summary>Tissue within two pixels of a part that survives the opening is kept, so edges keep their detail.</summary>
    public const int EdgeKeepRadius = 2;

    /// <summary>Thin parts within this many pixels of ink are taken for the stroke's blended edge.</summary>
    public const int InkReach = 2;

    /// <summary>Holes up to this many mask pixels (ink dots, fold cores, specks of glass) are filled.</summary>
    public const int HoleSize = 8;

    public static ArtefactAwareThresholds Thresholds(RgbImage image, byte rgbMinimum = TissueThresholds.NcrfRgbMinimum)
    {
        if (image.Width == 0 || image.Height == 0)
            throw new ArgumentException($"a {image.Width}x{image.Height} image has no pixels to threshold", nameof(image));
        var red = new long[Otsu.Bins];
        var green = new long[Otsu.Bins];
        var blue = new long[Otsu.Bins];
        var saturation = new long[Otsu.Bins];
        var pixels = image.Pixels;
        long counted = 0;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            byte r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
            if (PenInk.IsArtefact(r, g, b)) continue;
            red[r]++;
            green[g]++;
            blue[b]++;
            saturation[HsvSaturation.Of(r, g, b)]++;
            counted++;
        }
        // An image of nothing but artefacts has no tissue: a saturation threshold of 255 passes no pixel.
        if (counted == 0) return new ArtefactAwareThresholds(new TissueThresholds(0, 0, 0, byte.MaxValue, rgbMinimum), byte.MaxValue, 0);

        var stained = new TissueThresholds(Otsu.Threshold(red), Otsu.Threshold(green), Otsu.Threshold(blue), Otsu.Threshold(saturation), rgbMinimum);
        var (glass, glassBrightness) = GlassColour(pixels, stained);
        var faint = Math.Max(glass + FaintMargin, stained.Saturation / FaintShare);
        return new ArtefactAwareThresholds(stained, (byte)Math.Min(faint, stained.Saturation), glass, glassBrightness);
    }

    /// <summary>Stained tissue: not an artefact, more saturated than the Otsu threshold, and not as bright as glass in all channels.</summary>
    public static bool IsStained(byte r, byte g, byte b, ArtefactAwareThresholds t) =>
        !PenInk.IsArtefact(r, g, b)
        && HsvSaturation.Of(r, g, b) > t.Stained.Saturation
        && !(r > t.Stained.Red && g > t.Stained.Green && b > t.Stained.Blue);

    /// <summary>
    /// Faint tissue candidate: not an artefact, more saturated than the faint threshold, pink or purple, and no
    /// brighter than glass (JPEG's colour fringes beside ink are brighter than the glass they lie on).
    /// </summary>
    public static bool IsFaint(byte r, byte g, byte b, ArtefactAwareThresholds t) =>
        !PenInk.IsArtefact(r, g, b) && HsvSaturation.Of(r, g, b) > t.Faint && IsPinkOrPurple(r, g, b) && Math.Max(r, b) <= t.GlassBrightness;

    /// <summary>
    /// Green the weakest channel, give or take <see cref="ChromaTolerance"/> (hue 240 to 360): what weak eosin and haematoxylin give. Faint colour of any other
    /// hue is tinted glass or mountant (yellowish beyond a cover slip's edge), never faint H&amp;E.
    /// </summary>
    public static bool IsPinkOrPurple(byte r, byte g, byte b) => g <= Math.Min(r, b) + ChromaTolerance;

    /// <summary>Green may exceed red or blue by this much in faint tissue: JPEG's 4:2:0 chroma bleeds a pen stroke's green into its neighbours.</summary>
    public const int ChromaTolerance = 4;

    /// <summary>The whole rule: one mask byte per pixel, <see cref="TissueRule.Tissue"/> or 0.</summary>
    public static byte[] Apply(RgbImage image, ArtefactAwareThresholds t) => Apply(image, t, ArtefactAwareSteps.Default);

    /// <summary>The rule with some steps left out: how each step's worth is measured (<c>opath-bench tissue</c>).</summary>
    public static byte[] Apply(RgbImage image, ArtefactAwareThresholds t, ArtefactAwareSteps steps)
    {
        int width = image.Width, height = image.Height, n = width * height;
        var pixels = image.Pixels;
        var stained = new byte[n];
        var faint = new byte[n];
        var grey = new byte[n];
        var ink = new byte[n];
        var redInk = new byte[n];
        var fadedRed = new byte[n];
        for (var p = 0; p < n; p++)
        {
            byte r = pixels[p * 3], g = pixels[p * 3 + 1], b = pixels[p * 3 + 2];
            var artefact = PenInk.Of(r, g, b);
            if (artefact == ArtefactColour.Dark) grey[p] = 1;
            else if (artefact != ArtefactColour.None) ink[p] = 1;
            if (artefact == ArtefactColour.Red) redInk[p] = 1;
            else if (artefact == ArtefactColour.None && FadedInk.IsCandidate(r, g, b)) fadedRed[p] = 1;
            if (artefact != ArtefactColour.None && steps.Ink) continue;
            var saturation = HsvSaturation.Of(r, g, b);
            if (saturation > t.Stained.Saturation && !(r > t.Stained.Red && g > t.Stained.Green && b > t.Stained.Blue)) stained[p] = 1;
            else if (steps.Faint && saturation > t.Faint && IsPinkOrPurple(r, g, b) && Math.Max(r, b) <= t.GlassBrightness) faint[p] = 1;
        }

        // Faded red ink joined to red ink is ink: neither stained nor faint, and an edge the opening along ink may take.
        if (steps.Ink && steps.FadedInk && FadedInk.Grow(ink, redInk, fadedRed, grey, width, height) > 0)
            for (var p = 0; p < n; p++)
                if (fadedRed[p] != 0 && ink[p] != 0) stained[p] = faint[p] = 0;

        // Faint regions: majority cores, grown back by one pixel within the faint pixels.
        var window = (FaintCoreRadius * 2 + 1) * (FaintCoreRadius * 2 + 1);
        // Ink counts as support: a faint section crossed by a pen stroke keeps its pixels along the stroke.
        var support = new byte[n];
        for (var p = 0; p < n; p++) support[p] = (byte)(faint[p] | ink[p]);
        var counts = MaskMorphology.WindowCounts(support, width, height, FaintCoreRadius);
        var core = new byte[n];
        for (var p = 0; p < n; p++) core[p] = (byte)(faint[p] != 0 && counts[p] * 2 > window ? 1 : 0);
        var grown = MaskMorphology.Dilate(core, width, height, 1);
        var mask = new byte[n];
        for (var p = 0; p < n; p++) mask[p] = (byte)(stained[p] != 0 || (faint[p] != 0 && grown[p] != 0) ? 1 : 0);

        // Grey rims crossing tissue: grey pixels the closing of the mask covers.
        if (steps.Rims)
        {
            var closed = MaskMorphology.Close(mask, width, height, 1);
            for (var p = 0; p < n; p++) if (grey[p] != 0 && closed[p] != 0) mask[p] = 1;
        }

        // Thin lines along ink (a stroke's edge blended with glass): keep only what lies near a part at least three
        // pixels wide. Away from ink thin strands are left alone: at 64x real tissue has strands a pixel or two wide.
        if (steps.Thin)
        {
            var body = MaskMorphology.Dilate(MaskMorphology.Open(mask, width, height, ThinRadius), width, height, EdgeKeepRadius);
            var nearInk = MaskMorphology.Dilate(ink, width, height, InkReach);
            for (var p = 0; p < n; p++) if (nearInk[p] != 0 && body[p] == 0) mask[p] = 0;
        }

        if (steps.Holes) MaskMorphology.FillHoles(mask, width, height, HoleSize);
        return mask;
    }

    /// <summary>
    /// The share of an image's pixels that are stained tissue by a slide's thresholds and not faded red ink joined to
    /// red ink (no morphology, whose radii are mask pixels): how a tile is judged.
    /// </summary>
    public static double TissueFraction(RgbImage image, ArtefactAwareThresholds thresholds)
    {
        int n = image.Width * image.Height;
        if (n == 0) return 0;
        var pixels = image.Pixels;
        var redInk = new byte[n];
        var fadedRed = new byte[n];
        var grey = new byte[n];
        for (var p = 0; p < n; p++)
        {
            byte r = pixels[p * 3], g = pixels[p * 3 + 1], b = pixels[p * 3 + 2];
            var artefact = PenInk.Of(r, g, b);
            if (artefact == ArtefactColour.Red) redInk[p] = 1;
            else if (artefact == ArtefactColour.Dark) grey[p] = 1;
            else if (artefact == ArtefactColour.None && FadedInk.IsCandidate(r, g, b)) fadedRed[p] = 1;
        }
        var faded = new byte[n];
        FadedInk.Grow(faded, redInk, fadedRed, grey, image.Width, image.Height);
        long stained = 0;
        for (var p = 0; p < n; p++)
            if (faded[p] == 0 && IsStained(pixels[p * 3], pixels[p * 3 + 1], pixels[p * 3 + 2], thresholds)) stained++;
        return stained / (double)n;
    }

    /// <summary>
    /// The glass's saturation and brightness over the pixels brighter than all three RGB thresholds (the glass
    /// class): the lower quartile of saturation, so that faint tissue, which can make up much of that class, does
    /// not raise it, and the median of the brightest channel plus <see cref="GlassBrightnessMargin"/> for JPEG noise.
    /// </summary>
    private static (byte Saturation, byte Brightness) GlassColour(byte[] pixels, TissueThresholds t)
    {
        var saturation = new long[Otsu.Bins];
        var brightness = new long[Otsu.Bins];
        long total = 0;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            byte r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
            if (!(r > t.Red && g > t.Green && b > t.Blue) || PenInk.IsArtefact(r, g, b)) continue;
            saturation[HsvSaturation.Of(r, g, b)]++;
            brightness[Math.Max(r, Math.Max(g, b))]++;
            total++;
        }
        if (total == 0) return (0, byte.MaxValue);
        return (Quantile(saturation, total, 4), (byte)Math.Min(byte.MaxValue, Quantile(brightness, total, 2) + GlassBrightnessMargin));
    }

    /// <summary>The value at 1/<paramref name="divisor"/> of a histogram of <paramref name="total"/> values.</summary>
    private static byte Quantile(long[] histogram, long total, int divisor)
    {
        long seen = 0;
        for (var v = 0; v < Otsu.Bins; v++)
        {
            seen += histogram[v];
            if (seen * divisor >= total) return (byte)v;
        }
        return byte.MaxValue;
    }
}
