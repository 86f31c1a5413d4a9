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
    /// Dense mode: the grid cut into blocks of <paramref name="regionCells"/> cells (the most one forward pass
    /// holds); the tissue cells of each block covered by rectangles chosen to compute as few pixels as possible,
    /// halo and <paramref name="contextMargin"/> included (<see cref="TissueCover"/>). A block with no tissue
    /// gives no batch; only tissue cells are kept, so both modes fill the same cells. With <paramref name="canonicalShapes"/>
    /// each region is widened to a canonical size (<see cref="TissueCover.Canonical"/>) so the network sees few shapes.
    /// </summary>
    public static IReadOnlyList<TileBatch> PlanDense(string slidePath, CellGrid grid, SlideMask tissue, int regionCells, int patchSize = 224,
        int contextMargin = DenseGeometry.DefaultContextMargin, bool canonicalShapes = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(regionCells, 1);
        var isTissue = new bool[grid.Width, grid.Height];
        foreach (var cell in grid.ForegroundCells(tissue)) isTissue[cell.X, cell.Y] = true;
        var batches = new List<TileBatch>();
        for (var y0 = 0; y0 < grid.Height; y0 += regionCells)
        {
            for (var x0 = 0; x0 < grid.Width; x0 += regionCells)
            {
                var block = new CellRect(x0, y0, Math.Min(regionCells, grid.Width - x0), Math.Min(regionCells, grid.Height - y0));
                var limit = canonicalShapes ? regionCells : 0;
                foreach (var rect in TissueCover.Cover(isTissue, block, grid.Stride, patchSize, contextMargin, limit))
                {
                    var cells = new List<Cell>();
                    for (var y = rect.Y; y < rect.Y + rect.Height; y++)
                    {
                        for (var x = rect.X; x < rect.X + rect.Width; x++)
                        {
                            if (isTissue[x, y]) cells.Add(new Cell(x, y));
                        }
                    }
                    batches.Add(new TileBatch(slidePath, batches.Count, InferenceMode.Dense, grid.Stride, patchSize, cells, TissueCover.Canonical(rect, limit))
                    {
                        ContextMargin = contextMargin,
                    });
                }
            }
        }
        return batches;
    }
}
