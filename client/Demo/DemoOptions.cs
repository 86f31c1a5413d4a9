using OrleansPathology.Client.Cluster;

namespace OrleansPathology.Client.Demo;

/// <summary>
/// What <c>opath demo</c> runs. The defaults are sized to finish within 10 minutes on a 2-core machine and still give the
/// FROC something to measure: 8 slides of 10000x10000 (half held out as test slides, 3 of them with tumour), 400
/// training and 400 validation patches, 4 epochs of 25 steps of 16 patches on 2 data-parallel trainers, dense scoring at
/// stride 64 (the MONAI grid). Larger slides grow larger tumours, so fewer of the test regions are isolated tumour cells.
/// </summary>
internal sealed record DemoOptions
{
    /// <summary>Everything goes under this folder: cohort/, model/, results/, evaluation/, REPORT.md, demo.json.</summary>
    public required string OutputDirectory { get; init; }

    public int Slides { get; init; } = 8;

    public long Width { get; init; } = 10000;

    public long Height { get; init; } = 10000;

    /// <summary>Seed of the cohort; training uses <see cref="TrainingSeed"/>.</summary>
    public ulong Seed { get; init; } = 11;

    /// <summary>Share of slides held out for scoring (never in dataset.json).</summary>
    public double TestFraction { get; init; } = 0.5;

    /// <summary>Tumour patches per training tumour slide; normal patches balance them.</summary>
    public int PatchesPerSlide { get; init; } = 200;

    /// <summary>Data-parallel trainers (slices of each global batch).</summary>
    public int Workers { get; init; } = 2;

    public int Epochs { get; init; } = 4;

    /// <summary>Caps each epoch's steps; null runs whole epochs.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>
    /// Patches per optimizer step. 16, not the bundle's 32: on a short CPU budget twice the steps for the same patches
    /// learn more (validation .993 after 4 epochs against .888 at 32, BENCHMARKS.md).
    /// </summary>
    public int BatchSize { get; init; } = 16;

    public ulong TrainingSeed { get; init; } = 15;

    public int Stride { get; init; } = 64;

    public ClusterTarget Cluster { get; init; } = ClusterTarget.Embedded;
}
