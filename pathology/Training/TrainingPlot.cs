using OrleansPathology.Imaging;

namespace OrleansPathology.Training;

/// <summary>
/// The curves of a run as one PNG: above, the training loss of every step (x in epochs, so step s of an epoch of S steps
/// sits at epoch + (s + 1) / S); below, training and validation patch accuracy at the end of each epoch.
/// </summary>
public static class TrainingPlot
{
    /// <summary>Renders the two charts stacked; <paramref name="epochs"/> gives (epoch, train accuracy, validation accuracy or null).</summary>
    public static RgbImage Render(IReadOnlyList<double> stepLosses, int stepsPerEpoch, IReadOnlyList<(int Epoch, double TrainAccuracy, double? ValidationAccuracy)> epochs,
        string title = "training", int width = 720, int chartHeight = 360)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        var loss = new LineChart(width, chartHeight) { Title = $"{title}: loss per step", XLabel = "epoch", YLabel = "BCE loss" };
        loss.Add(new ChartSeries("train loss", stepLosses.Select((_, i) => (double)(i + 1) / stepsPerEpoch).ToList(), stepLosses, ChartSeries.Palette[0]));

        var accuracy = new LineChart(width, chartHeight)
        {
            Title = $"{title}: patch accuracy per epoch",
            XLabel = "epoch",
            YLabel = "accuracy",
            YRange = (0, 1),
        };
        var x = epochs.Select(e => (double)(e.Epoch + 1)).ToList();
        accuracy.Add(new ChartSeries("train", x, epochs.Select(e => e.TrainAccuracy).ToList(), ChartSeries.Palette[1], Markers: true));
        if (epochs.Any(e => e.ValidationAccuracy is not null))
            accuracy.Add(new ChartSeries("validation", x, epochs.Select(e => e.ValidationAccuracy ?? double.NaN).ToList(), ChartSeries.Palette[2], Markers: true));

        var top = loss.Render();
        var bottom = accuracy.Render();
        var pixels = new byte[top.Pixels.Length + bottom.Pixels.Length];
        top.Pixels.CopyTo(pixels, 0);
        bottom.Pixels.CopyTo(pixels, top.Pixels.Length);
        return new RgbImage(width, top.Height + bottom.Height, pixels);
    }

    /// <summary>Renders and writes the PNG.</summary>
    public static void Save(string path, IReadOnlyList<double> stepLosses, int stepsPerEpoch, IReadOnlyList<(int Epoch, double TrainAccuracy, double? ValidationAccuracy)> epochs, string title = "training")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        PngWriter.WriteRgb(path, Render(stepLosses, stepsPerEpoch, epochs, title));
    }
}
