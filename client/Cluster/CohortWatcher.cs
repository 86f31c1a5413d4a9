using System.Diagnostics;
using OrleansPathology.Grains;
using Spectre.Console;

namespace OrleansPathology.Client.Cluster;

/// <summary>
/// Follows a cohort until it is no longer running, polling <see cref="ICohortGrain.GetStatusAsync"/>: on a terminal,
/// a live display with a bar per slide and one overall (cells, cells/s, ETA); otherwise plain lines, one every
/// <see cref="PlainLineEvery"/> and one whenever a slide finishes, so logs and CI output stay readable.
/// </summary>
internal sealed class CohortWatcher(Func<Task<CohortStatus?>> next, TextWriter output, bool live)
{
    /// <summary>Watches a cohort grain (through a gateway); the other constructor takes any source of status, the HTTP API's say.</summary>
    public CohortWatcher(ICohortGrain cohort, TextWriter output, bool live)
        : this(() => cohort.GetStatusAsync(), output, live)
    {
    }

    /// <summary>How often the status is asked for.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How often a plain progress line is written when nothing finished in between.</summary>
    public static readonly TimeSpan PlainLineEvery = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Throughput _overall = new();
    private readonly Dictionary<string, Throughput> _slides = [];

    /// <summary>True when <paramref name="writer"/> is this process's stdout or stderr and that is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) =>
        (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) || (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected);

    /// <summary>Watches from <paramref name="first"/> until the cohort stops running; returns the last status.</summary>
    public Task<CohortStatus> WatchAsync(CohortStatus first, CancellationToken cancellationToken) =>
        live ? WatchLiveAsync(first, cancellationToken) : WatchPlainAsync(first, cancellationToken);

    private async Task<CohortStatus> WatchPlainAsync(CohortStatus status, CancellationToken cancellationToken)
    {
        output.WriteLine($"cohort {status.CohortId}: {status.Slides.Count} slide(s), {status.State}");
        var reported = new HashSet<string>(StringComparer.Ordinal);
        TimeSpan? lastLine = null;
        while (true)
        {
            Observe(status);
            var finishedNow = status.Slides.Where(s => !IsActive(s.State) && reported.Add(s.SlideId)).ToList();
            foreach (var slide in finishedNow)
                output.WriteLine($"  {slide.SlideId}: {slide.State}" + slide.State switch
                {
                    RunState.Completed => $", {slide.CellsTotal:N0} cells, {slide.Lesions} lesion(s)",
                    _ when slide.Error is { } error => $": {error}",
                    _ => "",
                });
            var running = CohortReport.IsRunning(status);
            if (!running || finishedNow.Count > 0 || lastLine is null || _clock.Elapsed - lastLine >= PlainLineEvery)
            {
                output.WriteLine($"[{Throughput.Format(_clock.Elapsed)}] {OverallLine(status)}");
                lastLine = _clock.Elapsed;
            }
            if (!running) return status;
            status = await NextAsync(status.CohortId, cancellationToken);
        }
    }

    private async Task<CohortStatus> WatchLiveAsync(CohortStatus status, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var overall = context.AddTask($"cohort {Markup.Escape(status.CohortId)}");
                var bars = status.Slides.ToDictionary(s => s.SlideId, s => context.AddTask(Markup.Escape(s.SlideId)), StringComparer.Ordinal);
                var width = status.Slides.Max(s => s.SlideId.Length);
                while (true)
                {
                    Observe(status);
                    foreach (var slide in status.Slides)
                    {
                        if (!bars.TryGetValue(slide.SlideId, out var bar)) continue;
                        bar.IsIndeterminate = slide.CellsTotal == 0 && IsActive(slide.State);
                        bar.MaxValue = Math.Max(1, slide.CellsTotal);
                        bar.Value = slide.State == RunState.Completed ? bar.MaxValue : slide.CellsDone;
                        bar.Description = SlideLine(slide, width);
                        if (!IsActive(slide.State) && !bar.IsFinished) bar.StopTask();
                    }
                    var (done, total) = Cells(status);
                    overall.IsIndeterminate = total == 0 && CohortReport.IsRunning(status);
                    overall.MaxValue = Math.Max(1, total);
                    overall.Value = done;
                    overall.Description = Markup.Escape(OverallLine(status));
                    context.Refresh();
                    if (!CohortReport.IsRunning(status))
                    {
                        overall.StopTask();
                        return;
                    }
                    status = await NextAsync(status.CohortId, cancellationToken);
                }
            });
        return status;
    }

    private async Task<CohortStatus> NextAsync(string cohortId, CancellationToken cancellationToken)
    {
        await Task.Delay(PollInterval, cancellationToken);
        return await next().WaitAsync(cancellationToken)
            ?? throw new CohortNotFoundException(cohortId, "disappeared from the cluster while being watched (did its silo restart without persistent storage?)");
    }

    private void Observe(CohortStatus status)
    {
        var now = _clock.Elapsed;
        _overall.Observe(now, Cells(status).Done);
        foreach (var slide in status.Slides)
        {
            if (!_slides.TryGetValue(slide.SlideId, out var meter)) _slides[slide.SlideId] = meter = new Throughput();
            meter.Observe(now, slide.CellsDone);
        }
    }

    /// <summary><c>3,400/5,000 cells (68%), 1/2 slides finished, 250 cells/s, ETA 0:06</c>.</summary>
    private string OverallLine(CohortStatus status)
    {
        var (done, total) = Cells(status);
        var finished = status.Slides.Count(s => !IsActive(s.State));
        var planning = status.Slides.Any(s => IsActive(s.State) && s.CellsTotal == 0);
        var line = $"{status.State}: {done:N0}/{total:N0} cells ({CohortReport.Percent(done, total)}), {finished}/{status.Slides.Count} slides finished";
        if (!CohortReport.IsRunning(status)) return line;
        return line + $", {Rate(_overall)}, ETA {(planning ? Throughput.Format(null) : Throughput.Format(_overall.Eta(total - done)))}";
    }

    private string SlideLine(SlideProgress slide, int width)
    {
        var name = Markup.Escape(slide.SlideId.PadRight(width));
        return slide.State switch
        {
            RunState.Completed => $"{name}  [green]Completed[/] {slide.CellsTotal:N0} cells, {slide.Lesions} lesion(s)",
            RunState.Failed => $"{name}  [red]Failed[/] {Markup.Escape(Shorten(slide.Error ?? ""))}",
            RunState.Cancelled => $"{name}  [yellow]Cancelled[/]",
            _ when slide.CellsTotal == 0 => $"{name}  planning",
            _ => $"{name}  {slide.CellsDone:N0}/{slide.CellsTotal:N0} cells, {Rate(_slides[slide.SlideId])}, ETA {Throughput.Format(_slides[slide.SlideId].Eta(slide.CellsTotal - slide.CellsDone))}",
        };
    }

    private static string Rate(Throughput meter) => meter.CellsPerSecond is { } rate ? $"{rate:N0} cells/s" : "-- cells/s";

    /// <summary>Cells done and to do; a slide that stopped early counts what it did as its total, so the sum can reach 100%.</summary>
    private static (long Done, long Total) Cells(CohortStatus status) =>
        (status.Slides.Sum(s => s.CellsDone), status.Slides.Sum(s => IsActive(s.State) || s.State == RunState.Completed ? s.CellsTotal : s.CellsDone));

    private static bool IsActive(RunState state) => state is RunState.Running or RunState.Pending;

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
