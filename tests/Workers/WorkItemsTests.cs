using OrleansPathology.Grains;
using OrleansPathology.Grains.Slides;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Workers;

/// <summary>A batch crosses the wire as coordinates: what a worker rebuilds is the batch the slide planned, margin included.</summary>
public sealed class WorkItemsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(96)]
    [InlineData(160)]
    public void ADenseBatch_SurvivesTheWorkItem_WithItsContextMargin(int margin)
    {
        var batch = new TileBatch("/data/s.tif", 5, InferenceMode.Dense, 64, 224, [new Cell(3, 4), new Cell(4, 4)], new CellRect(3, 4, 2, 1))
        {
            ContextMargin = margin,
        };
        var cohort = new CohortSpec("c", [new SlideSpec("s", "/data/s.tif")], "/w", "/out", Layout: new BatchLayout(2, 32, margin));

        var rebuilt = WorkItems.ToTileBatch(WorkItems.From("c/s", cohort, batch));

        Assert.Equal((batch.SlidePath, batch.Index, batch.Mode, batch.Stride, batch.PatchSize, batch.Region, batch.ContextMargin),
            (rebuilt.SlidePath, rebuilt.Index, rebuilt.Mode, rebuilt.Stride, rebuilt.PatchSize, rebuilt.Region, rebuilt.ContextMargin));
        Assert.Equal(batch.Cells, rebuilt.Cells);
    }
}
