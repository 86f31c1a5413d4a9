using OrleansPathology.Inference;

namespace OrleansPathology.Grains.Slides;

/// <summary>Converts between the domain's tile batches and the wire's work items (coordinates only).</summary>
public static class WorkItems
{
    /// <param name="traceParent">The slide span's W3C trace context, so the batch's span becomes its child.</param>
    /// <param name="leaseTime">How long the lease runs unless renewed.</param>
    public static WorkItem From(string slideKey, CohortSpec cohort, TileBatch batch, string? traceParent = null, TimeSpan leaseTime = default)
    {
        var region = batch.Region ?? default;
        // A cohort that pinned its weights is scored from the pinned copy, checked against the digest when loaded.
        var weights = cohort.WeightsDigest is { } digest ? Model.PinnedWeights.PathFor(cohort.OutputRoot, digest) : cohort.WeightsPath;
        return new WorkItem(
            slideKey, batch.SlidePath, weights, cohort.Precision, batch.Index,
            batch.Mode == InferenceMode.Patch ? ScoringMode.Patch : ScoringMode.Dense,
            batch.Stride, batch.PatchSize,
            batch.Cells.Select(c => c.X).ToArray(), batch.Cells.Select(c => c.Y).ToArray(),
            region.X, region.Y, region.Width, region.Height, traceParent, batch.ContextMargin, cohort.WeightsDigest, leaseTime);
    }

    public static TileBatch ToTileBatch(WorkItem item)
    {
        var cells = new Cell[item.CellX.Length];
        for (var i = 0; i < cells.Length; i++) cells[i] = new Cell(item.CellX[i], item.CellY[i]);
        return item.Mode == ScoringMode.Patch
            ? new TileBatch(item.SlidePath, item.BatchIndex, InferenceMode.Patch, item.Stride, item.PatchSize, cells)
            : new TileBatch(item.SlidePath, item.BatchIndex, InferenceMode.Dense, item.Stride, item.PatchSize, cells,
                new CellRect(item.RegionX, item.RegionY, item.RegionWidth, item.RegionHeight)) { ContextMargin = item.ContextMargin };
    }

    public static InferenceMode ToDomain(ScoringMode mode) => mode == ScoringMode.Patch ? InferenceMode.Patch : InferenceMode.Dense;
}
