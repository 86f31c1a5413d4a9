using System.Globalization;
using OrleansPathology.Grains;

namespace OrleansPathology.Client.Cluster;

/// <summary>How the cluster, cohort lists and training runs read on the console: aligned columns, one row each.</summary>
internal static class OperatorReport
{
    public static void WriteCluster(TextWriter output, ClusterOverview overview)
    {
        output.WriteLine($"cluster at {overview.At:u}: {overview.Silos.Count} silo(s), {overview.Workers.Count} worker(s)");
        output.WriteLine();
        output.WriteLine("silos");
        WriteTable(output, ["NAME", "ADDRESS", "STATUS", "UPTIME", "DEVICES"], overview.Silos.Select(s => new[]
        {
            s.Name, s.Address, s.Status, CohortReport.Duration(TimeSpan.FromSeconds(s.UptimeSeconds)), string.Join(',', s.Devices),
        }));
        output.WriteLine();
        output.WriteLine("workers");
        WriteTable(output, ["WORKER", "DEVICE", "IN FLIGHT", "BATCHES", "CELLS", "CELLS/S (1 MIN)", "MODEL", "LAST ERROR"], overview.Workers.Select(w => new[]
        {
            w.Worker, w.Device, Num(w.InFlight), Num(w.BatchesDone), Num(w.CellsDone), w.CellsPerSecond.ToString("N0", CultureInfo.InvariantCulture),
            w.LoadedWeights is null ? "none" : Path.GetFileName(w.LoadedWeights), w.LastError ?? "",
        }));
        output.WriteLine();
        output.WriteLine($"work waiting: {Num(overview.Pending.Cells)} cells, {Num(overview.Pending.Batches)} batches on {overview.Pending.Slides} slide(s)");
        output.WriteLine();
        output.WriteLine($"active cohorts ({overview.ActiveCohorts.Count} of {overview.Cohorts.Count} recent)");
        WriteCohortRows(output, overview.ActiveCohorts);
        output.WriteLine();
        output.WriteLine("training runs");
        WriteTrainingRows(output, overview.Training);
        foreach (var gap in overview.Unreachable) output.WriteLine($"did not answer: {gap}");
    }

    public static void WriteCohorts(TextWriter output, IReadOnlyList<CohortSummary> cohorts)
    {
        if (cohorts.Count == 0)
        {
            output.WriteLine("no cohorts on this cluster yet (opath submit adds one)");
            return;
        }
        WriteCohortRows(output, cohorts);
    }

    public static void WriteTraining(TextWriter output, IReadOnlyList<TrainingSummary> runs)
    {
        if (runs.Count == 0)
        {
            output.WriteLine("no training runs on this cluster yet (opath train --cluster ... starts one)");
            return;
        }
        WriteTrainingRows(output, runs);
    }

    public static void WriteTrainingStatus(TextWriter output, TrainingStatus run)
    {
        output.WriteLine($"training run {run.RunId}: {run.State}, epoch {run.Epoch}/{run.Epochs}, step {run.Step}/{run.StepsPerEpoch} (global {run.GlobalStep})" +
            (run.LastLoss is { } loss ? $", loss {loss:0.0000}" : "") + $", {run.PatchesPerSecond:N0} patches/s");
        output.WriteLine($"  trainers: {(run.Trainers.Count == 0 ? "none yet" : string.Join(", ", run.Trainers))}");
        if (run.LastCheckpoint is { } checkpoint) output.WriteLine($"  checkpoint: {checkpoint}");
        output.WriteLine($"  output weights: {run.OutputWeights}");
        if (run.Resumes > 0 || run.ReissuedSlices > 0) output.WriteLine($"  resumed {run.Resumes} time(s), {run.ReissuedSlices} slice(s) reissued");
        if (run.Error is { } error) output.WriteLine($"  error: {error}");
        if (run.History.Count == 0) return;
        WriteTable(output, ["EPOCH", "STEPS", "TRAIN LOSS", "TRAIN ACC", "VAL LOSS", "VAL ACC", "PATCHES/S"], run.History.Select(e => new[]
        {
            Num(e.Epoch), Num(e.Steps), e.TrainLoss.ToString("0.0000", CultureInfo.InvariantCulture), Pct(e.TrainAccuracy),
            e.ValidationLoss?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "", e.ValidationAccuracy is { } v ? Pct(v) : "",
            e.PatchesPerSecond.ToString("N0", CultureInfo.InvariantCulture),
        }));
    }

    private static void WriteCohortRows(TextWriter output, IReadOnlyList<CohortSummary> cohorts) =>
        WriteTable(output, ["COHORT", "STATE", "PROGRESS", "SLIDES", "CELLS", "SUBMITTED"], cohorts.Select(c => new[]
        {
            c.CohortId, c.State.ToString(), Pct(c.Progress),
            $"{c.SlidesCompleted}/{c.Slides} done" + (c.SlidesFailed > 0 ? $", {c.SlidesFailed} failed" : "") + (c.SlidesRunning > 0 ? $", {c.SlidesRunning} running" : ""),
            $"{Num(c.CellsDone)}/{Num(c.CellsTotal)}", c.SubmittedAt.ToString("u", CultureInfo.InvariantCulture),
        }));

    private static void WriteTrainingRows(TextWriter output, IReadOnlyList<TrainingSummary> runs) =>
        WriteTable(output, ["RUN", "STATE", "EPOCH", "STEP", "LOSS", "VAL ACC", "PATCHES/S", "TRAINERS"], runs.Select(r => new[]
        {
            r.RunId, r.State.ToString(), $"{r.Epoch}/{r.Epochs}", $"{r.Step}/{r.StepsPerEpoch}",
            r.LastLoss?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "", r.ValidationAccuracy is { } v ? Pct(v) : "",
            r.PatchesPerSecond.ToString("N0", CultureInfo.InvariantCulture), Num(r.Trainers),
        }));

    private static void WriteTable(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        if (all.Count == 0)
        {
            output.WriteLine("  (none)");
            return;
        }
        var widths = header.Select((h, i) => Math.Max(h.Length, all.Max(r => r[i].Length))).ToArray();
        output.WriteLine("  " + string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in all) output.WriteLine("  " + string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    private static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Pct(double share) => $"{100 * share:0}%";
}
