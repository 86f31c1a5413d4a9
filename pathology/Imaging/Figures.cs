using ScottPlot;

namespace OrleansPathology.Imaging;

/// <summary>Shared figure plumbing: ScottPlot renders, our PNG reader and writer move pixels in and out.</summary>
public static class Figures
{
    /// <summary>The figures' fonts and sizes, so every picture reads alike.</summary>
    public const int TitleSize = 18, LabelSize = 15, TickSize = 13;

    /// <summary>Renders a plot to an RGB image of the given size.</summary>
    public static RgbImage Render(Plot plot, int width, int height) => PngReader.Decode(plot.GetImageBytes(width, height, ImageFormat.Png));

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
