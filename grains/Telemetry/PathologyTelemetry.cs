using System.Diagnostics;

namespace OrleansPathology.Grains.Telemetry;

/// <summary>
/// The names this system's traces and metrics go by, and its one <see cref="ActivitySource"/>. A cohort span
/// lives from submission until its last slide finishes; each slide's span is its child; each batch span is the
/// child of its slide's span (the slide hands its trace context to workers in <see cref="WorkItem.TraceParent"/>),
/// with <c>read</c>, <c>infer</c> and <c>assemble</c> child spans.
/// </summary>
public static class PathologyTelemetry
{
    /// <summary>The <see cref="ActivitySource"/> and <see cref="System.Diagnostics.Metrics.Meter"/> name.</summary>
    public const string Name = "OrleansPathology";

    /// <summary>Orleans' meter (<c>Microsoft.Orleans</c>: messaging, grains, membership, ...).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The <see cref="RequestContext"/> key a cohort hands its trace context to its slides in.</summary>
    public const string CohortTraceKey = "opath.cohort.traceparent";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Span names.</summary>
    public static class Spans
    {
        public const string Cohort = "opath.cohort";
        public const string Slide = "opath.slide";
        public const string Batch = "opath.batch";
        public const string Read = Inference.BatchScorer.ReadSpan;
        public const string Infer = Inference.BatchScorer.ComputeSpan;
        public const string Assemble = "opath.batch.assemble";
    }

    /// <summary>Span and metric attribute names.</summary>
    public static class Attributes
    {
        public const string Cohort = "opath.cohort";
        public const string Slide = "opath.slide";
        public const string SlidePath = "opath.slide.path";
        public const string Batch = "opath.batch.index";
        public const string Cells = "opath.batch.cells";
        public const string Worker = "opath.worker";
        public const string Device = "opath.device";
        public const string Outcome = "opath.outcome";
        public const string Reason = "opath.reason";
    }

    /// <summary>
    /// Starts a span that outlives the call that starts it (a cohort's or a slide's): it is not left as
    /// <see cref="Activity.Current"/>, so later work on the same turn is not mistaken for its child.
    /// </summary>
    public static Activity? StartDetached(string name, ActivityContext parent, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var current = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, tags);
        Activity.Current = current;
        return activity;
    }

    /// <summary>Ends a span started by <see cref="StartDetached"/>, from whatever call finishes it.</summary>
    public static void StopDetached(Activity? activity, string outcome, string? error = null)
    {
        if (activity is null || activity.IsStopped) return;
        var current = Activity.Current;
        activity.SetTag(Attributes.Outcome, outcome);
        if (error is not null) activity.SetStatus(ActivityStatusCode.Error, error);
        activity.Stop();
        Activity.Current = current;
    }

    /// <summary>The W3C <c>traceparent</c> of a span, or null when it is not recorded.</summary>
    public static string? TraceParentOf(Activity? activity) => activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>The context a <c>traceparent</c> names, or default (a new trace) when it is absent or malformed.</summary>
    public static ActivityContext ParentFrom(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
