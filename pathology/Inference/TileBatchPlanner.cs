using OrleansPathology.Imaging;

namespace OrleansPathology.Inference;

/// <summary>Cuts a slide's tissue into tile batches. Deterministic: the same inputs give the same batches in the same order.</summary>
public static class TileBatchPlanner
{
    /// <summary>Patch mode: runs of <paramref name="patchesPerBatch"/> tissue cells in row-major order.</summary>
    public static IReadOnlyList<TileBatch> PlanPatches(string slidePath, CellGrid grid, SlideMask tissue, int patchesPerBatch, int patchSize = 224)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patchesPerBatch, 1);
        var batches = new List<TileBatch>();
        var current = new List<Cell>(patchesPerBatch);
        foreach (var cell in grid.ForegroundCells(tissue))
        {
            current.Add(cell);
            if (current.Count == patchesPerBatch)
            {
                batches.Add(new TileBatch(slidePath, batches.Count, InferenceMode.Patch, grid.Stride, patchSize, current));
                current = new List<Cell>(patchesPerBatch);
            }
        }
        if (current.Count > 0) batches.Add(new TileBatch(slidePath, batches.Count, InferenceMode.Patch, grid.Stride, patchSize, current));
        return batches;
    }

    /// <summary>
    /// Dense mode: the grid cut into squares of <paramref name="regionCells"/> cells; a square with no tissue
    /// is skipped, and of the others only tissue cells are kept, so both modes fill the same cells.
    /// </summary>
    public static IReadOnlyList<TileBatch> PlanDense(string slidePath, CellGrid grid, SlideMask tissue, int regionCells, int patchSize = 224)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(regionCells, 1);
        var isTissue = new HashSet<Cell>(grid.ForegroundCells(tissue));
        var batches = new List<TileBatch>();
        for (var y0 = 0; y0 < grid.Height; y0 += regionCells)
        {
            for (var x0 = 0; x0 < grid.Width; x0 += regionCells)
            {
                var rect = new CellRect(x0, y0, Math.Min(regionCells, grid.Width - x0), Math.Min(regionCells, grid.Height - y0));
                var cells = new List<Cell>();
                for (var y = rect.Y; y < rect.Y + rect.Height; y++)
                {
                    for (var x = rect.X; x < rect.X + rect.Width; x++)
                    {
                        if (isTissue.Contains(new Cell(x, y))) cells.Add(new Cell(x, y));
                    }
                }
                if (cells.Count == 0) continue;
                // Shrink the region to the tissue's bounding box: no compute spent on glass.
                var minX = cells.Min(c => c.X); var maxX = cells.Max(c => c.X);
                var minY = cells.Min(c => c.Y); var maxY = cells.Max(c => c.Y);
                batches.Add(new TileBatch(slidePath, batches.Count, InferenceMode.Dense, grid.Stride, patchSize, cells,
                    new CellRect(minX, minY, maxX - minX + 1, maxY - minY + 1)));
            }
        }
        return batches;
    }
}
