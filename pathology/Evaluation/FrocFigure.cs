using System.Globalization;
using OrleansPathology.Imaging;
using ScottPlot;

namespace OrleansPathology.Evaluation;

/// <summary>
/// The FROC curve as a picture (false positives per slide on a log2 axis, 1/8 to at least 8) with the six operating
/// points the score averages, and as a CSV of the curve's points. The sensitivity axis runs a little past 0 and 1 so a
/// curve at 1.0 and its markers stay clear of the frame.
/// </summary>
public static class FrocFigure
{
    public static RgbImage Render(FrocResult result, int width = 900, int height = 600)
    {
        var points = result.Curve.Points.OrderBy(p => p.FalsePositivesPerSlide).ThenBy(p => p.Sensitivity).ToList();
        var largest = Math.Max(8, points.Count == 0 ? 8 : points.Max(p => p.FalsePositivesPerSlide));
        var maxExponent = Math.Ceiling(Math.Log2(largest));

        var plot = new Plot();
        Figures.Style(plot, result.Score is { } score ? $"FROC  (score {score.ToString("0.000", CultureInfo.InvariantCulture)})" : "FROC  (no tumour regions)",
            "Average false positives per slide", "Sensitivity");
        // Log2 of the rate on the axis; zero false positives sit at the left edge, 1/8.
        double X(double rate) => Math.Log2(Math.Max(rate, 0.125));
        var curve = plot.Add.Scatter(points.Select(p => X(p.FalsePositivesPerSlide)).ToArray(), points.Select(p => p.Sensitivity).ToArray());
        curve.LegendText = "FROC curve";
        curve.LineWidth = 2;
        curve.MarkerSize = 0;
        var operating = plot.Add.Scatter(result.OperatingPoints.Select(p => X(p.FalsePositivesPerSlide)).ToArray(), result.OperatingPoints.Select(p => p.Sensitivity).ToArray());
        operating.LegendText = "sensitivity at 1/4, 1/2, 1, 2, 4, 8 FP";
        operating.LineWidth = 0;
        operating.MarkerSize = 10;
        operating.MarkerShape = MarkerShape.FilledCircle;

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var e = -3; e <= maxExponent; e++) ticks.AddMajor(e, e < 0 ? $"1/{1 << -e}" : (1 << e).ToString(CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimits(-3.2, maxExponent + 0.2, -0.04, 1.06);
        plot.ShowLegend(Alignment.LowerRight);
        return Figures.Render(plot, width, height);
    }

    /// <summary>Writes the curve's points: <c>false_positives_per_slide,sensitivity,threshold</c>.</summary>
    public static void WriteCsv(string path, FrocResult result)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("false_positives_per_slide,sensitivity,threshold");
        foreach (var p in result.Curve.Points)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.FalsePositivesPerSlide:0.######},{p.Sensitivity:0.######},{p.Threshold:0.######}"));
    }
}
