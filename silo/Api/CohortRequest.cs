using OrleansPathology.Grains;
using OrleansPathology.Model;

namespace OrleansPathology.Silo.Api;

/// <summary>One slide of a <see cref="CohortRequest"/>: an id unique within the cohort, its file, an optional tissue mask.</summary>
public sealed record SlideRequest(string? Id, string? Path, string? Mask = null);

/// <summary>
/// The body of <c>POST /api/v1/cohorts</c>. Paths are as the silos see them and must be absolute (a silo resolves nothing
/// against a caller's working directory). Defaults as <c>opath submit</c>: stride 64, dense, fp32, robust tissue.
/// </summary>
public sealed record CohortRequest(
    string? Id,
    IReadOnlyList<SlideRequest>? Slides,
    string? Weights,
    string? Out,
    int? Stride = null,
    string? Mode = null,
    string? Precision = null,
    string? Tissue = null)
{
    /// <summary>The request for <paramref name="spec"/> (what <c>opath --api URL submit</c> sends).</summary>
    public static CohortRequest From(CohortSpec spec) => new(
        spec.CohortId, [.. spec.Slides.Select(s => new SlideRequest(s.SlideId, s.Path, s.MaskPath))], spec.WeightsPath, spec.OutputRoot,
        spec.Stride, spec.Mode.ToString().ToLowerInvariant(), spec.Precision, spec.Tissue);

    /// <summary>The cohort to submit; an <see cref="ArgumentException"/> naming the field for anything missing or wrong.</summary>
    public CohortSpec ToSpec()
    {
        var id = Required(Id, "id");
        if (Slides is not { Count: > 0 }) throw new ArgumentException("\"slides\" must list at least one slide");
        var slides = Slides.Select((s, i) => new SlideSpec(
            Required(s.Id, $"slides[{i}].id"), Absolute(s.Path, $"slides[{i}].path"), s.Mask is null ? null : Absolute(s.Mask, $"slides[{i}].mask"))).ToList();
        var mode = (Mode ?? "dense").ToLowerInvariant() switch
        {
            "dense" => ScoringMode.Dense,
            "patch" => ScoringMode.Patch,
            _ => throw new ArgumentException($"\"mode\" must be dense or patch (got '{Mode}')"),
        };
        var precision = Precision is null ? "fp32"
            : Precisions.TryParse(Precision, out var p) ? Precisions.Name(p)
            : throw new ArgumentException($"\"precision\" must be fp32, bf16 or fp16 (got '{Precision}')");
        if (Stride is <= 0) throw new ArgumentException($"\"stride\" must be a positive whole number (got {Stride})");
        return new CohortSpec(id, slides, Absolute(Weights, "weights"), Absolute(Out, "out"), Stride ?? 64, mode, precision, Tissue: Tissue ?? "robust");
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"\"{field}\" is required") : value;

    private static string Absolute(string? path, string field)
    {
        var value = Required(path, field);
        return System.IO.Path.IsPathRooted(value) ? value
            : throw new ArgumentException($"\"{field}\" must be an absolute path as the silos see it (got '{value}')");
    }
}
