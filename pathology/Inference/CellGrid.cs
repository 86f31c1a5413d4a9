using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>A cell of the probability map: column and row at 1/stride of level 0.</summary>
public readonly record struct Cell(int X, int Y);

/// <summary>
/// The probability map's grid over a slide: one cell per <see cref="Stride"/> level-0 pixels, the cell's
/// window centred on its centre ((i + 0.5) * stride), as MONAI's MaskedPatchWSIDataset places patches.
/// </summary>
public sealed record CellGrid(long SlideWidth, long SlideHeight, int Stride)
{
    public int Width => checked((int)((SlideWidth + Stride - 1) / Stride));
    public int Height => checked((int)((SlideHeight + Stride - 1) / Stride));

    /// <summary>Level-0 centre of a cell.</summary>
    public (double X, double Y) Centre(Cell cell) => ((cell.X + 0.5) * Stride, (cell.Y + 0.5) * Stride);

    /// <summary>Level-0 top-left of the <paramref name="patchSize"/> window centred on a cell.</summary>
    public (long X, long Y) PatchOrigin(Cell cell, int patchSize)
    {
        var (cx, cy) = Centre(cell);
        return ((long)Math.Floor(cx - patchSize / 2.0), (long)Math.Floor(cy - patchSize / 2.0));
    }

    /// <summary>
    /// The cells whose centre falls on tissue, row-major. With the default stride 64 and a mask at
    /// downsample 64 this is one cell per tissue pixel; other strides sample the mask at cell centres.
    /// </summary>
    public IEnumerable<Cell> ForegroundCells(SlideMask tissue)
    {
        for (var y = 0; y < Height; y++)
        {
            var my = (int)Math.Min(tissue.Height - 1, (long)((y + 0.5) * Stride / tissue.Downsample));
            for (var x = 0; x < Width; x++)
            {
                var mx = (int)Math.Min(tissue.Width - 1, (long)((x + 0.5) * Stride / tissue.Downsample));
                if (tissue[mx, my] != 0) yield return new Cell(x, y);
            }
        }
    }

    /// <summary>Checks that a mask covers this slide: its size times its downsample must match the slide within one mask pixel.</summary>
    public void EnsureMatches(SlideMask tissue, string slidePath)
    {
        var expectedW = SlideWidth / tissue.Downsample;
        var expectedH = SlideHeight / tissue.Downsample;
        if (Math.Abs(tissue.Width - expectedW) > 1.01 || Math.Abs(tissue.Height - expectedH) > 1.01)
            throw new MaskMismatchException(slidePath,
                $"tissue mask is {tissue.Width}x{tissue.Height} at downsample {tissue.Downsample:0.###}, " +
                $"but the slide ({SlideWidth}x{SlideHeight}) needs about {expectedW:0}x{expectedH:0}: the mask belongs to another slide");
    }
}

/// <summary>A tissue mask given for a slide does not fit that slide.</summary>
public sealed class MaskMismatchException(string slidePath, string reason) : Exception($"{slidePath}: {reason}")
{
    public string SlidePath { get; } = slidePath;
}
