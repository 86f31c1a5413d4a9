using OrleansPathology.Synthesis;

namespace OrleansPathology.Training;

/// <summary>
/// The training augmentations and their odds. Defaults follow the pathology_tumor_detection bundle's train
/// transforms (MONAI model zoo <c>configs/train.json</c>): ColorJitter(0.25, 0.75, 0.25, 0.04), a flip with p 0.5,
/// RandRotate90 with p 0.5 and k in 1..3, RandZoom with p 0.5 in [0.9, 1.1].
/// </summary>
/// <remarks>
/// The bundle's RandFlipd has no spatial_axis, so when it fires it flips both axes at once: a half turn, no mirror. With
/// its quarter turns that reaches the four rotations of the square and never a mirror image; that is the default here
/// (<see cref="FlipMode.BothAxes"/>). <see cref="FlipMode.Independent"/> draws the left-right and top-bottom flips
/// separately, which with the quarter turns reaches all eight symmetries of the square.
/// </remarks>
public sealed record AugmentationOptions
{
    /// <summary>How the flip works. Default <see cref="FlipMode.BothAxes"/>, the bundle's RandFlip.</summary>
    public FlipMode Flip { get; init; } = FlipMode.BothAxes;

    /// <summary>Colour jitter strengths; null for none.</summary>
    public ColorJitterOptions? ColorJitter { get; init; } = new();

    /// <summary>Odds of the flip (both axes), or of each flip separately (<see cref="FlipMode.Independent"/>). Default 0.5.</summary>
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Odds of a quarter-turn rotation by 1, 2 or 3 quarters (uniform; MONAI max_k 3). Default 0.5.</summary>
    public double Rotate90Probability { get; init; } = 0.5;

    /// <summary>Odds of a centred zoom. Default 0.5.</summary>
    public double ZoomProbability { get; init; } = 0.5;

    /// <summary>Smallest zoom factor (below 1 shrinks, edges padded). Default 0.9.</summary>
    public double MinZoom { get; init; } = 0.9;

    /// <summary>Largest zoom factor. Default 1.1.</summary>
    public double MaxZoom { get; init; } = 1.1;

    /// <summary>No augmentation at all (validation, or tests that need exact pixels).</summary>
    public static AugmentationOptions None { get; } = new() { ColorJitter = null, FlipProbability = 0, Rotate90Probability = 0, ZoomProbability = 0 };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        ColorJitter?.Validate();
        foreach (var (name, p) in new[] { ("flip", FlipProbability), ("rotate90", Rotate90Probability), ("zoom", ZoomProbability) })
        {
            if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name} probability must be in [0, 1] (got {p})");
        }
        if (!(MinZoom > 0 && MinZoom <= MaxZoom && double.IsFinite(MaxZoom)))
            throw new ArgumentException($"zoom range [{MinZoom}, {MaxZoom}] must be positive and ordered");
    }
}

/// <summary>How <see cref="PatchAugmenter"/> flips.</summary>
/// <summary>The command-line names of <see cref="FlipMode"/>: <c>both</c> (the bundle's) and <c>independent</c>.</summary>
public static class FlipModes
{
    public static FlipMode Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "both" or "bothaxes" => FlipMode.BothAxes,
        "independent" => FlipMode.Independent,
        _ => throw new ArgumentException($"flip must be both (the bundle's) or independent (got '{text}')"),
    };
}

/// <summary>The command-line names of <see cref="ScheduleStepping"/>: <c>per-epoch</c> (the bundle's) and <c>per-step</c>.</summary>
public static class ScheduleSteppings
{
    public static ScheduleStepping Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "per-epoch" or "perepoch" => ScheduleStepping.PerEpoch,
        "per-step" or "perstep" => ScheduleStepping.PerStep,
        _ => throw new ArgumentException($"schedule must be per-epoch (the bundle's) or per-step (got '{text}')"),
    };
}

public enum FlipMode
{
    /// <summary>MONAI RandFlip without spatial_axis: both axes together (a half turn), with the flip probability.</summary>
    BothAxes,

    /// <summary>Left-right and top-bottom drawn separately, each with the flip probability: all four mirror states.</summary>
    Independent,
}

/// <summary>What one patch's augmentation does: every random decision, drawn from one seed.</summary>
public sealed record AugmentationDraw(ColorJitterParameters? ColorJitter, bool FlipHorizontal, bool FlipVertical, int QuarterTurns, double? Zoom);

/// <summary>
/// Augments 224x224 (any square) interleaved-RGB byte patches in place, before <see cref="Model.PatchTensor"/> scales
/// them to [-1, 1]. Bytes rather than tensors: the work runs on the sampler's reader threads, overlapping the network's
/// compute, and colour jitter then has torchvision's uint8 semantics exactly. Order as the bundle's: colour jitter,
/// flips, rotation, zoom. Each patch's randomness comes from its own seed (the sampler derives it from the run seed,
/// the epoch and the patch's position in the epoch), so the result does not depend on which thread or worker reads it.
/// </summary>
public sealed class PatchAugmenter
{
    public PatchAugmenter(AugmentationOptions options, int patchSize = Model.FcnResNet18.PatchSize)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        Options = options;
        PatchSize = patchSize;
    }

    public AugmentationOptions Options { get; }

    public int PatchSize { get; }

    /// <summary>The decisions for <paramref name="seed"/>. Every value is drawn whatever the odds, so the sequence never shifts.</summary>
    public AugmentationDraw Draw(ulong seed)
    {
        var rng = new SplitMix64(seed);
        var jitter = Options.ColorJitter is { } j ? ColorJitter.Sample(j, ref rng) : null;
        var flipH = rng.NextDouble() < Options.FlipProbability;
        var flipV = rng.NextDouble() < Options.FlipProbability;
        if (Options.Flip == FlipMode.BothAxes) flipV = flipH;
        var rotate = rng.NextDouble() < Options.Rotate90Probability;
        var turns = rng.NextInt(1, 4);
        var zoom = rng.NextDouble() < Options.ZoomProbability;
        var factor = rng.Uniform(Options.MinZoom, Options.MaxZoom);
        return new AugmentationDraw(jitter, flipH, flipV, rotate ? turns : 0, zoom ? factor : null);
    }

    /// <summary>Augments one patch in place with the draw of <paramref name="seed"/>; returns the draw.</summary>
    public AugmentationDraw Apply(Span<byte> rgb, ulong seed)
    {
        var draw = Draw(seed);
        Apply(rgb, draw);
        return draw;
    }

    /// <summary>Applies a given draw in place.</summary>
    public void Apply(Span<byte> rgb, AugmentationDraw draw)
    {
        if (rgb.Length != PatchSize * PatchSize * 3)
            throw new ArgumentException($"{rgb.Length} bytes is not a {PatchSize}x{PatchSize} RGB patch", nameof(rgb));
        if (draw.ColorJitter is { } jitter) ColorJitter.Apply(rgb, jitter);
        if (draw.FlipHorizontal) PatchGeometry.FlipHorizontal(rgb, PatchSize);
        if (draw.FlipVertical) PatchGeometry.FlipVertical(rgb, PatchSize);
        if (draw.QuarterTurns != 0) PatchGeometry.Rotate90(rgb, PatchSize, draw.QuarterTurns);
        if (draw.Zoom is { } factor) PatchGeometry.Zoom(rgb, PatchSize, factor);
    }

    /// <summary>The seed of the patch at <paramref name="position"/> of <paramref name="epoch"/> in a run seeded <paramref name="runSeed"/>.</summary>
    public static ulong SeedFor(ulong runSeed, int epoch, long position) => SplitMix64.Hash(runSeed ^ 0xA06_3E47UL, epoch, position);
}
