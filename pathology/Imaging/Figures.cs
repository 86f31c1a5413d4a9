using ScottPlot;
using SkiaSharp;

namespace OrleansPathology.Imaging;

/// <summary>Shared figure plumbing: ScottPlot renders, our PNG reader and writer move pixels in and out.</summary>
public static class Figures
{
    /// <summary>The figures' fonts and sizes, so every picture reads alike.</summary>
    public const int TitleSize = 18, LabelSize = 15, TickSize = 13;

    /// <summary>Renders a plot to an RGB image of the given size, transparent pixels composited over white.</summary>
    public static unsafe RgbImage Render(Plot plot, int width, int height)
    {
        // Straight into pixels: the PNG round trip this replaces (Skia's zlib at level 6, then our decoder) was
        // most of the CPU a completed slide's outputs took.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"Skia could not make a {width}x{height} surface");
        plot.Render(surface.Canvas, width, height);
        var rgba = GC.AllocateUninitializedArray<byte>(checked(width * height * 4));
        fixed (byte* p = rgba)
        {
            if (!surface.ReadPixels(info.WithAlphaType(SKAlphaType.Unpremul), (nint)p, width * 4, 0, 0))
                throw new InvalidOperationException($"Skia could not read a {width}x{height} figure's pixels");
        }
        var image = new RgbImage(width, height);
        var rgb = image.Pixels;
        for (int i = 0, o = 0; i < rgba.Length; i += 4, o += 3)
        {
            var alpha = rgba[i + 3];
            rgb[o] = PngReader.OverWhite(rgba[i], alpha);
            rgb[o + 1] = PngReader.OverWhite(rgba[i + 1], alpha);
            rgb[o + 2] = PngReader.OverWhite(rgba[i + 2], alpha);
        }
        return image;
    }

    /// <summary>One image above the other (same width).</summary>
    public static RgbImage Stack(RgbImage top, RgbImage bottom)
    {
        if (top.Width != bottom.Width) throw new ArgumentException($"widths differ: {top.Width} and {bottom.Width}");
        var pixels = new byte[top.Pixels.Length + bottom.Pixels.Length];
        top.Pixels.CopyTo(pixels, 0);
        bottom.Pixels.CopyTo(pixels, top.Pixels.Length);
        return new RgbImage(top.Width, top.Height + bottom.Height, pixels);
    }

    /// <summary>An RGB image as a ScottPlot image (for a background such as a slide thumbnail).</summary>
    public static ScottPlot.Image ToPlotImage(RgbImage image)
    {
        using var png = new MemoryStream();
        PngWriter.Write(png, image.Width, image.Height, 3, image.Pixels);
        return new ScottPlot.Image(png.ToArray());
    }

    /// <summary>Title, axis labels and tick label sizes set for a readable figure.</summary>
    public static void Style(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
    }
}
