using System.Globalization;
using OrleansPathology.Imaging;
using ScottPlot;

namespace OrleansPathology.Training;

/// <summary>
/// The curves of a run as one PNG with their data as CSV beside it: above, the training loss of every step (x in epochs,
/// so step s of an epoch of S steps sits at epoch + (s + 1) / S) with a smoothed line through it; below, training and
/// validation patch accuracy at the end of each epoch. <c>{png}.steps.csv</c> holds step, epoch, loss and smoothed loss;
/// <c>{png}.epochs.csv</c> the accuracies.
/// </summary>
public static class TrainingPlot
{
    /// <summary>Renders the two charts stacked; <paramref name="epochs"/> gives (epoch, train accuracy, validation accuracy or null).</summary>
    public static RgbImage Render(IReadOnlyList<double> stepLosses, int stepsPerEpoch, IReadOnlyList<(int Epoch, double TrainAccuracy, double? ValidationAccuracy)> epochs,
        string title = "training", int width = 900, int chartHeight = 420)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        var x = stepLosses.Select((_, i) => (double)(i + 1) / stepsPerEpoch).ToArray();

        var loss = new Plot();
        Figures.Style(loss, $"{title}: loss per step", "epoch", "BCE loss");
        var raw = loss.Add.Scatter(x, stepLosses.ToArray());
        raw.LegendText = "loss per step";
        raw.LineWidth = 1;
        raw.MarkerSize = 0;
        raw.Color = raw.Color.WithAlpha(0.45);
        var smooth = loss.Add.Scatter(x, Smoothed(stepLosses, stepsPerEpoch).ToArray());
        smooth.LegendText = $"smoothed (mean of {SmoothingWindow(stepLosses.Count, stepsPerEpoch)} steps)";
        smooth.LineWidth = 3;
        smooth.MarkerSize = 0;
        loss.ShowLegend(Alignment.UpperRight);

        var accuracy = new Plot();
        Figures.Style(accuracy, $"{title}: patch accuracy per epoch", "epoch", "accuracy");
        var ex = epochs.Select(e => (double)(e.Epoch + 1)).ToArray();
        var train = accuracy.Add.Scatter(ex, epochs.Select(e => e.TrainAccuracy).ToArray());
        train.LegendText = "train";
        train.MarkerSize = 9;
        var validated = epochs.Where(e => e.ValidationAccuracy is not null).ToList();
        if (validated.Count > 0)
        {
            var validation = accuracy.Add.Scatter(validated.Select(e => (double)(e.Epoch + 1)).ToArray(), validated.Select(e => e.ValidationAccuracy!.Value).ToArray());
            validation.LegendText = "validation";
            validation.MarkerSize = 9;
        }
        // Whole epochs on the axis, and room around 0 and 1 so markers stay clear of the frame.
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var last = Math.Max(1, epochs.Count == 0 ? 1 : epochs.Max(e => e.Epoch + 1));
        for (var e = 1; e <= last; e++) ticks.AddMajor(e, e.ToString(CultureInfo.InvariantCulture));
        accuracy.Axes.Bottom.TickGenerator = ticks;
        accuracy.Axes.SetLimits(0.5, last + 0.5, -0.04, 1.06);
        accuracy.ShowLegend(Alignment.LowerRight);

        return Figures.Stack(Figures.Render(loss, width, chartHeight), Figures.Render(accuracy, width, chartHeight));
    }

    /// <summary>Renders and writes the PNG and its two CSVs.</summary>
    public static void Save(string path, IReadOnlyList<double> stepLosses, int stepsPerEpoch, IReadOnlyList<(int Epoch, double TrainAccuracy, double? ValidationAccuracy)> epochs, string title = "training")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        PngWriter.WriteRgb(path, Render(stepLosses, stepsPerEpoch, epochs, title));
        var smoothed = Smoothed(stepLosses, stepsPerEpoch);
        using (var steps = new StreamWriter(path + ".steps.csv"))
        {
            steps.WriteLine("step,epoch,loss,smoothed_loss");
            for (var i = 0; i < stepLosses.Count; i++)
                steps.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1},{(double)(i + 1) / stepsPerEpoch:0.######},{stepLosses[i]:R},{smoothed[i]:0.######}"));
        }
        using var perEpoch = new StreamWriter(path + ".epochs.csv");
        perEpoch.WriteLine("epoch,train_accuracy,validation_accuracy");
        foreach (var (epoch, trainAccuracy, validationAccuracy) in epochs)
            perEpoch.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{epoch + 1},{trainAccuracy:R},{validationAccuracy:R}"));
    }

    /// <summary>Trailing mean over <see cref="SmoothingWindow"/> steps (fewer at the start): the trend under per-batch noise.</summary>
    public static IReadOnlyList<double> Smoothed(IReadOnlyList<double> losses, int stepsPerEpoch)
    {
        var window = SmoothingWindow(losses.Count, stepsPerEpoch);
        var result = new double[losses.Count];
        var sum = 0.0;
        for (var i = 0; i < losses.Count; i++)
        {
            sum += losses[i];
            if (i >= window) sum -= losses[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }

    /// <summary>A quarter of an epoch, at least 1 and at most 50 steps.</summary>
    public static int SmoothingWindow(int steps, int stepsPerEpoch) => Math.Clamp(stepsPerEpoch / 4, 1, 50);
}
