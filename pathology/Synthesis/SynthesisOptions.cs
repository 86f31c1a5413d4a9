namespace OrleansPathology.Synthesis;

/// <summary>What <see cref="CohortSynthesizer"/> makes. Every output is a function of these values alone.</summary>
public sealed record SynthesisOptions
{
    /// <summary>Smallest accepted side: room for several tissue pieces and a tumour inside one.</summary>
    public const long MinimumSide = 2000;

    /// <summary>Largest accepted side: beyond any CAMELYON16 slide (about 220000 px).</summary>
    public const long MaximumSide = 250_000;

    /// <summary>The folder the cohort is written into (created if missing; files of the same names are overwritten).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Number of slides, at least 1.</summary>
    public required int Slides { get; init; }

    /// <summary>Level-0 width of every slide, pixels.</summary>
    public required long Width { get; init; }

    /// <summary>Level-0 height of every slide, pixels.</summary>
    public required long Height { get; init; }

    /// <summary>The seed: same seed and options, same bytes in every file.</summary>
    public required ulong Seed { get; init; }

    /// <summary>
    /// Share of slides that hold tumour, 0..1; the count is rounded half away from zero (0.6 of 3 slides is 2).
    /// Default 0.6, near CAMELYON16's training set (111 tumour of 270 slides is 0.41; the test set 49 of 129) but
    /// leaning to tumour, because a tiny cohort otherwise often draws no tumour slide for training.
    /// </summary>
    public double TumourFraction { get; init; } = 0.6;

    /// <summary>
    /// Share of each stratum (tumour, normal) held out as test slides, never sampled into dataset.json; rounded
    /// half away from zero, and at least one slide of a stratum stays in train. Default 0.33, CAMELYON16's
    /// 129 test slides of 399.
    /// </summary>
    public double TestFraction { get; init; } = 0.33;

    /// <summary>Tumour patches drawn per train tumour slide (normal patches then balance them across all train slides). Default 64.</summary>
    public int PatchesPerSlide { get; init; } = 64;

    /// <summary>JPEG quality of the tiles, 1..100. Default 85.</summary>
    public int JpegQuality { get; init; } = 85;

    /// <summary>Worker threads per slide; the output does not depend on it.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("the output directory is empty");
        if (Slides < 1) throw new ArgumentException($"--slides must be at least 1 (got {Slides})");
        if (Width < MinimumSide || Height < MinimumSide || Width > MaximumSide || Height > MaximumSide)
            throw new ArgumentException($"--size {Width}x{Height}: each side must be {MinimumSide} to {MaximumSide} pixels");
        if (!(TumourFraction >= 0 && TumourFraction <= 1)) throw new ArgumentException($"--tumour-fraction must be in [0, 1] (got {TumourFraction})");
        if (!(TestFraction >= 0 && TestFraction < 1)) throw new ArgumentException($"--test-fraction must be in [0, 1) (got {TestFraction})");
        if (PatchesPerSlide < 0) throw new ArgumentException($"--patches-per-slide must not be negative (got {PatchesPerSlide})");
        if (JpegQuality is < 1 or > 100) throw new ArgumentException($"--jpeg-quality must be 1..100 (got {JpegQuality})");
        if (Parallelism < 1) throw new ArgumentException($"parallelism must be at least 1 (got {Parallelism})");
    }
}
