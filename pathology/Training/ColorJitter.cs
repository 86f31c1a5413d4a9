using OrleansPathology.Synthesis;

namespace OrleansPathology.Training;

/// <summary>
/// Strengths of <see cref="ColorJitter"/>, as torchvision's <c>ColorJitter(brightness, contrast, saturation, hue)</c>
/// takes them. The defaults are the pathology_tumor_detection bundle's (MONAI model zoo <c>configs/train.json</c>:
/// brightness 0.25, contrast 0.75, saturation 0.25, hue 0.04). A strength of 0 turns that adjustment off.
/// </summary>
public sealed record ColorJitterOptions
{
    public double Brightness { get; init; } = 0.25;
    public double Contrast { get; init; } = 0.75;
    public double Saturation { get; init; } = 0.25;
    public double Hue { get; init; } = 0.04;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value (torchvision's own limits).</summary>
    public void Validate()
    {
        if (!(Brightness >= 0)) throw new ArgumentException($"colour jitter brightness must be >= 0 (got {Brightness})");
        if (!(Contrast >= 0)) throw new ArgumentException($"colour jitter contrast must be >= 0 (got {Contrast})");
        if (!(Saturation >= 0)) throw new ArgumentException($"colour jitter saturation must be >= 0 (got {Saturation})");
        if (!(Hue >= 0 && Hue <= 0.5)) throw new ArgumentException($"colour jitter hue must be in [0, 0.5] (got {Hue})");
    }
}

/// <summary>The four adjustments of <see cref="ColorJitter"/>.</summary>
public enum ColorJitterOperation
{
    Brightness,
    Contrast,
    Saturation,
    Hue,
}

/// <summary>
/// One draw of <see cref="ColorJitter"/>: the order the adjustments run in and each factor. A null factor is an
/// adjustment switched off (strength 0), as torchvision's <c>get_params</c> returns None.
/// </summary>
public sealed record ColorJitterParameters(IReadOnlyList<ColorJitterOperation> Order, double? Brightness, double? Contrast, double? Saturation, double? Hue);

/// <summary>
/// torchvision's <c>ColorJitter</c> on interleaved RGB bytes, with the semantics of its uint8 tensor path: the four
/// adjustments in a random order, each factor uniform in [max(0, 1 - s), 1 + s] (hue in [-h, h]), and after each one
/// the image is rounded down to bytes as <c>.to(torch.uint8)</c> does. Arithmetic is in float32 as torch's.
/// <list type="bullet">
/// <item>brightness: <c>clamp(f * v)</c></item>
/// <item>contrast: <c>clamp(f * v + (1 - f) * mean(grey))</c>, grey = <c>uint8(0.2989 R + 0.587 G + 0.114 B)</c></item>
/// <item>saturation: <c>clamp(f * v + (1 - f) * grey)</c> per pixel</item>
/// <item>hue: to float (/255), RGB to HSV, h = (h + f) mod 1, back to RGB, <c>uint8(x * 255.999)</c> (torchvision's convert_image_dtype)</item>
/// </list>
/// Random numbers come from SplitMix64, not torch's generator: the same seed gives the same image here on every
/// run, but not the same draw as a Python pipeline.
/// </summary>
public static class ColorJitter
{
    // ITU-R 601-2 luma, as torchvision's rgb_to_grayscale.
    private const float LumaR = 0.2989f, LumaG = 0.587f, LumaB = 0.114f;

    // convert_image_dtype(float -> uint8) multiplies by 255 + 1 - 1e-3 and truncates.
    private const float FloatToByte = 255.999f;

    /// <summary>Draws the order and factors from <paramref name="seed"/>.</summary>
    public static ColorJitterParameters Sample(ColorJitterOptions options, ulong seed)
    {
        var rng = new SplitMix64(seed);
        return Sample(options, ref rng);
    }

    internal static ColorJitterParameters Sample(ColorJitterOptions options, ref SplitMix64 rng)
    {
        var order = new[] { ColorJitterOperation.Brightness, ColorJitterOperation.Contrast, ColorJitterOperation.Saturation, ColorJitterOperation.Hue };
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = rng.NextInt(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        // Every factor is drawn, used or not, so switching one off does not shift the others' draws.
        var b = Factor(options.Brightness, ref rng);
        var c = Factor(options.Contrast, ref rng);
        var s = Factor(options.Saturation, ref rng);
        var h = rng.Uniform(-options.Hue, options.Hue);
        return new ColorJitterParameters(order, b, c, s, options.Hue > 0 ? h : null);
    }

    private static double? Factor(double strength, ref SplitMix64 rng)
    {
        var value = rng.Uniform(Math.Max(0, 1 - strength), 1 + strength);
        return strength > 0 ? value : null;
    }

    /// <summary>Applies one draw to <paramref name="rgb"/> (interleaved RGB, any number of pixels) in place.</summary>
    public static void Apply(Span<byte> rgb, ColorJitterParameters parameters)
    {
        if (rgb.Length % 3 != 0) throw new ArgumentException($"{rgb.Length} bytes is not a whole number of RGB pixels", nameof(rgb));
        foreach (var operation in parameters.Order)
        {
            switch (operation)
            {
                case ColorJitterOperation.Brightness when parameters.Brightness is { } f:
                    AdjustBrightness(rgb, f);
                    break;
                case ColorJitterOperation.Contrast when parameters.Contrast is { } f:
                    AdjustContrast(rgb, f);
                    break;
                case ColorJitterOperation.Saturation when parameters.Saturation is { } f:
                    AdjustSaturation(rgb, f);
                    break;
                case ColorJitterOperation.Hue when parameters.Hue is { } f:
                    AdjustHue(rgb, f);
                    break;
            }
        }
    }

    /// <summary>torchvision <c>adjust_brightness</c>: blend with black.</summary>
    public static void AdjustBrightness(Span<byte> rgb, double factor)
    {
        var f = (float)factor;
        for (var i = 0; i < rgb.Length; i++) rgb[i] = ToByte(f * rgb[i]);
    }

    /// <summary>torchvision <c>adjust_contrast</c>: blend with the mean grey level of the whole image.</summary>
    public static void AdjustContrast(Span<byte> rgb, double factor)
    {
        var pixels = rgb.Length / 3;
        if (pixels == 0) return;
        double sum = 0;
        for (var i = 0; i < rgb.Length; i += 3) sum += Grey(rgb[i], rgb[i + 1], rgb[i + 2]);
        var mean = (float)(sum / pixels);
        var f = (float)factor;
        var rest = (float)(1.0 - factor) * mean;
        for (var i = 0; i < rgb.Length; i++) rgb[i] = ToByte(f * rgb[i] + rest);
    }

    /// <summary>torchvision <c>adjust_saturation</c>: blend each pixel with its own grey level.</summary>
    public static void AdjustSaturation(Span<byte> rgb, double factor)
    {
        var f = (float)factor;
        var g = (float)(1.0 - factor);
        for (var i = 0; i < rgb.Length; i += 3)
        {
            float grey = Grey(rgb[i], rgb[i + 1], rgb[i + 2]);
            rgb[i] = ToByte(f * rgb[i] + g * grey);
            rgb[i + 1] = ToByte(f * rgb[i + 1] + g * grey);
            rgb[i + 2] = ToByte(f * rgb[i + 2] + g * grey);
        }
    }

    /// <summary>torchvision <c>adjust_hue</c>: rotate the hue by <paramref name="shift"/> turns, shift in [-0.5, 0.5].</summary>
    public static void AdjustHue(Span<byte> rgb, double shift)
    {
        if (!(shift >= -0.5 && shift <= 0.5)) throw new ArgumentOutOfRangeException(nameof(shift), shift, "hue shift must be in [-0.5, 0.5]");
        var hueShift = (float)shift;
        for (var i = 0; i < rgb.Length; i += 3)
        {
            var (h, s, v) = RgbToHsv(rgb[i] / 255f, rgb[i + 1] / 255f, rgb[i + 2] / 255f);
            h = Remainder(h + hueShift, 1f);
            var (r, g, b) = HsvToRgb(h, s, v);
            rgb[i] = (byte)(r * FloatToByte);
            rgb[i + 1] = (byte)(g * FloatToByte);
            rgb[i + 2] = (byte)(b * FloatToByte);
        }
    }

    /// <summary>rgb_to_grayscale of a uint8 image: float luma truncated to a byte.</summary>
    private static byte Grey(byte r, byte g, byte b) => (byte)(LumaR * r + LumaG * g + LumaB * b);

    /// <summary>clamp(0, 255) then truncation, as <c>.clamp(0, 255).to(torch.uint8)</c>.</summary>
    private static byte ToByte(float value) => value <= 0 ? (byte)0 : value >= 255 ? (byte)255 : (byte)value;

    /// <summary>Python/torch remainder: the result has the divisor's sign.</summary>
    private static float Remainder(float a, float b)
    {
        var r = a % b;
        return r < 0 ? r + b : r;
    }

    /// <summary>torchvision's <c>_rgb2hsv</c>, element for element.</summary>
    internal static (float H, float S, float V) RgbToHsv(float r, float g, float b)
    {
        var maxc = MathF.Max(r, MathF.Max(g, b));
        var minc = MathF.Min(r, MathF.Min(g, b));
        var equal = maxc == minc;
        var cr = maxc - minc;
        var s = cr / (equal ? 1f : maxc);
        var divisor = equal ? 1f : cr;
        var rc = (maxc - r) / divisor;
        var gc = (maxc - g) / divisor;
        var bc = (maxc - b) / divisor;
        var hr = maxc == r ? bc - gc : 0f;
        var hg = maxc == g && maxc != r ? 2f + rc - bc : 0f;
        var hb = maxc != g && maxc != r ? 4f + gc - rc : 0f;
        var h = hr + hg + hb;
        h = (h / 6f + 1f) % 1f; // torch.fmod: both operands are positive here
        return (h, s, maxc);
    }

    /// <summary>torchvision's <c>_hsv2rgb</c>, element for element.</summary>
    internal static (float R, float G, float B) HsvToRgb(float h, float s, float v)
    {
        var i = MathF.Floor(h * 6f);
        var f = h * 6f - i;
        var sector = ((int)i % 6 + 6) % 6;
        var p = Math.Clamp(v * (1f - s), 0f, 1f);
        var q = Math.Clamp(v * (1f - s * f), 0f, 1f);
        var t = Math.Clamp(v * (1f - s * (1f - f)), 0f, 1f);
        return sector switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }
}
