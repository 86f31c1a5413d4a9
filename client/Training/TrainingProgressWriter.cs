using System.Globalization;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Training;

/// <summary>
/// Writes a run's progress as plain lines: one per finished step (epoch, step, loss, patches/s) and one per finished
/// epoch (train loss and accuracy, validation accuracy, checkpoint), then a summary with the communication per step.
/// Plain lines, so that logs and CI output stay readable.
/// </summary>
internal sealed class TrainingProgressWriter(TextWriter output) : IProgress<TrainingStatus>
{
    private long _lastStep = -1;
    private int _epochsShown;
    private int _resumes;

    public void Report(TrainingStatus status)
    {
        if (status.Resumes > _resumes)
        {
            output.WriteLine($"run {status.RunId} resumed from {status.LastCheckpoint ?? "the start"} (its coordinator was lost)");
            _resumes = status.Resumes;
        }
        if (status.GlobalStep != _lastStep && status.Step > 0 && status.LastLoss is { } loss)
        {
            output.WriteLine(Invariant($"epoch {status.Epoch + 1}/{status.Epochs} step {status.Step}/{status.StepsPerEpoch} loss {loss:0.0000} {status.PatchesPerSecond:0.0} patches/s ({status.Trainers.Count} trainer(s))"));
            _lastStep = status.GlobalStep;
        }
        foreach (var epoch in status.History.Skip(_epochsShown))
        {
            output.WriteLine(Invariant($"epoch {epoch.Epoch + 1}/{status.Epochs} done: train loss {epoch.TrainLoss:0.0000}, train accuracy {epoch.TrainAccuracy:0.000}, validation accuracy {Format(epoch.ValidationAccuracy)}, {epoch.PatchesPerSecond:0.0} patches/s; checkpoint {epoch.Checkpoint}"));
        }
        _epochsShown = status.History.Count;
    }

    public void WriteSummary(TrainingOutcome outcome)
    {
        var status = outcome.Status;
        output.WriteLine($"run {status.RunId}: {status.State}, {status.History.Count} epoch(s), {status.GlobalStep} step(s)");
        output.WriteLine($"weights: {outcome.WeightsPath}");
        output.WriteLine($"plot:    {outcome.PlotPath}");
        var steps = status.RecentSteps.Skip(status.RecentSteps.Count > 1 ? 1 : 0).ToList();
        if (steps.Count > 0)
        {
            double Mean(Func<StepCommunication, double> f) => steps.Average(f);
            output.WriteLine(Invariant($"communication per step (mean of the last {steps.Count}): {Mean(s => s.GradientBytes) / 1e6:0.0} MB gradients in, {Mean(s => s.WeightBytesWritten) / 1e6:0.0} MB weights written, {Mean(s => s.WeightBytesRead) / 1e6:0.0} MB weights read; {Mean(s => s.StepSeconds):0.00} s a step, of which {Mean(s => s.WriteWeightsSeconds):0.00} s publishing weights, {Mean(s => s.GatherSeconds - s.SlowestComputeSeconds):0.00} s waiting beyond the slowest trainer, {Mean(s => s.DecodeAverageApplySeconds):0.00} s decode+average+step"));
        }
        if (status.ReissuedSlices > 0) output.WriteLine($"{status.ReissuedSlices} slice(s) re-issued after a trainer failed");
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
