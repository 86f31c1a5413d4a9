namespace OrleansPathology.Inference;

/// <summary>How a slide is scored. Defaults reproduce the MONAI bundle's grid (stride 64, 224 patches).</summary>
public sealed partial record InferenceOptions
{
    /// <summary>Level-0 pixels per map cell. Default 64: one cell per tissue-mask pixel at level 6.</summary>
    public int Stride { get; init; } = 64;

    /// <summary>Window side in level-0 pixels. The network's design size: 224.</summary>
    public int PatchSize { get; init; } = 224;

    /// <summary>Dense (shared computation, the default) or patch (MONAI's reference semantics).</summary>
    public InferenceMode Mode { get; init; } = InferenceMode.Dense;

    /// <summary>Patch mode: patches per forward pass. 32 keeps a CPU busy without large buffers.</summary>
    public int PatchesPerBatch { get; init; } = 32;

    /// <summary>
    /// Dense mode: side of a block in cells, which the tissue cover cuts into regions. Each region pays its halo (160 px
    /// of windows and twice the context margin) once, so larger blocks compute fewer pixels per tissue cell (on a
    /// 20000x20000 slide: 7,622 at 24, 6,341 at 64); activations stay bounded because regions are computed in bands
    /// (<see cref="BatchComputer.BandRows"/>). 64 cells reads regions of up to 4448 px a side (59 MB each).
    /// </summary>
    public int RegionCells { get; init; } = 64;

    /// <summary>
    /// Dense mode: level-0 pixels of real context read on each side of a region (a multiple of 32), so a cell's
    /// value hardly depends on where regions are cut. Default <see cref="DenseGeometry.DefaultContextMargin"/>;
    /// 0 computes the windows alone. Cluster workers use the default.
    /// </summary>
    public int ContextMargin { get; init; } = DenseGeometry.DefaultContextMargin;

    /// <summary>
    /// Dense mode: regions widened to a few canonical sizes (<see cref="TissueCover.Canonical"/>), so libtorch sees
    /// few input shapes. Default false: on a 20000x20000 slide the cover already gives about 20 shapes, and widening
    /// cost 3% more pixels and 7% of dense cells per CPU second (BENCHMARKS.md, issue 12); it bounds the shapes a
    /// long-running worker meets over many slides (81 at 24-cell regions instead of 576).
    /// </summary>
    public bool CanonicalShapes { get; init; }

    /// <summary>Concurrent slide readers feeding the compute stage.</summary>
    public int Readers { get; init; } = 2;

    /// <summary>Read batches waiting for compute at most: bounds memory whatever the slide size.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Strides the outputs can be written at: a power of two, so that the map's downsample names a pyramid level.</summary>
    public const int MinStride = 8, MaxStride = 1024;

    public void Validate()
    {
        ValidateStride(Stride);
        if (PatchSize < 32 || PatchSize % 32 != 0) throw new ArgumentException($"patch size must be a multiple of 32 (got {PatchSize})");
        if (PatchesPerBatch < 1 || RegionCells < 1 || Readers < 1 || Prefetch < 1)
            throw new ArgumentException("patches per batch, region cells, readers and prefetch must be positive");
        if (ContextMargin < 0 || ContextMargin % 32 != 0) throw new ArgumentException($"context margin must be a non-negative multiple of 32 (got {ContextMargin})");
    }
}

public sealed partial record InferenceOptions
{
    /// <summary>
    /// Refuses a stride the outputs cannot be written at (the map is written at downsample = stride, which must name a
    /// pyramid level) before any cell is scored; the bound also keeps a dense region's buffers within int range.
    /// </summary>
    public static void ValidateStride(int stride)
    {
        if (stride < MinStride || stride > MaxStride || !int.IsPow2(stride))
            throw new ArgumentException($"stride must be a power of two from {MinStride} to {MaxStride} (got {stride})");
    }
}

/// <summary>Progress of one slide: batches and cells done out of the total.</summary>
public readonly record struct InferenceProgress(int BatchesDone, int BatchesTotal, long CellsDone, long CellsTotal);
