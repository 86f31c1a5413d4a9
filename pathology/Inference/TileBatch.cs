namespace OrleansPathology.Inference;

/// <summary>How a tile batch is computed.</summary>
public enum InferenceMode
{
    /// <summary>One 224 patch per cell (MONAI MaskedPatchWSIDataset semantics): the reference.</summary>
    Patch,

    /// <summary>One large region per batch through the fully convolutional network: overlapping windows share work.</summary>
    Dense,
}

/// <summary>
/// A unit of inference work: coordinates only, never pixels, so any node can read its own pixels from
/// shared storage and the message stays small. Patch batches list their cells; a dense batch covers the
/// rectangle of cells <see cref="Region"/> and keeps the results of <see cref="Cells"/> (its tissue cells).
/// </summary>
/// <param name="SlidePath">The slide, on storage every worker can read.</param>
/// <param name="Index">The batch's number within its slide (stable: the same plan gives the same numbers).</param>
/// <param name="Mode">Patch or dense.</param>
/// <param name="Stride">Level-0 pixels per map cell.</param>
/// <param name="PatchSize">Window side in level-0 pixels (224).</param>
/// <param name="Cells">The cells whose probabilities this batch yields.</param>
/// <param name="Region">For dense batches, the cell rectangle read as one region; null for patch batches.</param>
public sealed record TileBatch(
    string SlidePath,
    int Index,
    InferenceMode Mode,
    int Stride,
    int PatchSize,
    IReadOnlyList<Cell> Cells,
    CellRect? Region = null)
{
    /// <summary>
    /// Dense batches: level-0 pixels of real context read around the region's windows and dropped from the
    /// output (<see cref="DenseGeometry"/>). A multiple of 32; 0 reads the windows alone.
    /// </summary>
    public int ContextMargin
    {
        get => _contextMargin;
        init
        {
            if (value < 0 || value % FcnResNet18Stride != 0) throw new ArgumentException($"context margin must be a non-negative multiple of {FcnResNet18Stride} (got {value})");
            _contextMargin = value;
        }
    }

    private readonly int _contextMargin = DenseGeometry.DefaultContextMargin;

    private const int FcnResNet18Stride = 32;
}

/// <summary>A rectangle of map cells.</summary>
public readonly record struct CellRect(int X, int Y, int Width, int Height);

/// <summary>What a worker returns for a batch: the probability of tumour for each of its cells, in order.</summary>
public sealed record BatchResult(int Index, IReadOnlyList<Cell> Cells, float[] Probabilities);
