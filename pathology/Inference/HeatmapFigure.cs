using OrleansPathology.Imaging;
using ScottPlot;

namespace OrleansPathology.Inference;

/// <summary>
/// A slide's result as a picture worth looking at: the slide thumbnail, the probability map over it in a colour map
/// (cells below <see cref="ClearBelow"/> and uncomputed cells left clear, so tissue shows), a colour bar, the detected
/// lesions ringed and ranked, and, when the truth is known, the tumour outline. Axes in level-0 pixels.
/// </summary>
public static class HeatmapFigure
{
    /// <summary>Probabilities under this are not painted: a faint wash over all tissue hides more than it shows.</summary>
    public const double ClearBelow = 0.1;

    /// <summary>Renders at <paramref name="width"/> pixels wide, the height following the slide's shape.</summary>
    public static RgbImage Render(RgbImage thumbnail, ProbabilityMap map, IReadOnlyList<Lesion> lesions, SlideMask? truth = null,
        string title = "tumour probability", int width = 1000)
    {
        var (extentX, extentY) = ((double)map.Width * map.Stride, (double)map.Height * map.Stride);
        var plot = new Plot();
        Figures.Style(plot, title, "x (level-0 px)", "y (level-0 px)");
        var rect = new CoordinateRect(0, extentX, extentY, 0);
        plot.Add.ImageRect(Figures.ToPlotImage(thumbnail), rect);

        var cells = new double[map.Height, map.Width];
        var painted = 0;
        for (var y = 0; y < map.Height; y++)
        {
            for (var x = 0; x < map.Width; x++)
            {
                var p = map[x, y];
                var paint = !float.IsNaN(p) && p >= ClearBelow;
                if (paint) painted++;
                // ScottPlot draws row 0 at the extent's bottom edge; with y pointing down that is the slide's last row.
                cells[map.Height - 1 - y, x] = paint ? p : double.NaN;
            }
        }
        // A map with no cell worth painting (a negative slide) is the thumbnail alone: ScottPlot's heatmap takes a range
        // from its data whenever it redraws, even with a fixed one, and data of nothing but NaN has none.
        if (painted > 0)
        {
            var heatmap = plot.Add.Heatmap(cells);
            heatmap.Extent = rect;
            heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
            heatmap.NaNCellColor = Colors.Transparent;
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            heatmap.Opacity = 0.7;
            var bar = plot.Add.ColorBar(heatmap);
            bar.Label = $"tumour probability (below {ClearBelow} not drawn)";
        }

        if (truth is not null)
        {
            var (xs, ys) = Outline(truth);
            var outline = plot.Add.Markers(xs, ys, MarkerShape.FilledSquare, 2, Colors.Lime);
            outline.LegendText = "truth outline";
        }
        if (lesions.Count > 0)
        {
            var marks = plot.Add.Markers(lesions.Select(l => l.X).ToArray(), lesions.Select(l => l.Y).ToArray(), MarkerShape.OpenCircle, 18, Colors.Black);
            marks.MarkerLineWidth = 2;
            marks.LegendText = "lesions (NMS)";
            for (var i = 0; i < Math.Min(lesions.Count, 20); i++)
            {
                var label = plot.Add.Text($"{i + 1}", lesions[i].X, lesions[i].Y);
                label.LabelFontSize = 13;
                label.LabelBold = true;
                label.LabelOffsetX = 10;
                label.LabelOffsetY = -10;
            }
        }
        if (truth is not null || lesions.Count > 0) plot.ShowLegend(Alignment.LowerLeft);

        plot.Axes.SetLimits(0, extentX, extentY, 0);
        plot.Axes.SquareUnits();
        var height = (int)Math.Clamp(Math.Round(width * extentY / Math.Max(1, extentX)) + 80, 400, 1600);
        return Figures.Render(plot, width, height);
    }

    // Level-0 centres of the truth's boundary pixels (tumour with a background 4-neighbour or on the mask's edge).
    private static (double[] X, double[] Y) Outline(SlideMask truth)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var y = 0; y < truth.Height; y++)
        {
            for (var x = 0; x < truth.Width; x++)
            {
                if (truth[x, y] == 0) continue;
                var edge = x == 0 || y == 0 || x == truth.Width - 1 || y == truth.Height - 1
                    || truth[x - 1, y] == 0 || truth[x + 1, y] == 0 || truth[x, y - 1] == 0 || truth[x, y + 1] == 0;
                if (!edge) continue;
                xs.Add((x + 0.5) * truth.Downsample);
                ys.Add((y + 0.5) * truth.Downsample);
            }
        }
        return (xs.ToArray(), ys.ToArray());
    }
}
