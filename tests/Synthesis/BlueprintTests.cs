using OrleansPathology.Annotations;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>Slide layouts, before any pixel: tumour always fits inside tissue, at sizes from ITC clusters to large lesions.</summary>
public sealed class BlueprintTests
{
    [Theory]
    [InlineData(2000, 2000, 40, 8)]
    [InlineData(3000, 2500, 40, 8)]
    [InlineData(20000, 20000, 8, 32)]
    public void Tumour_outlines_fit_inside_tissue_clear_of_holes_for_many_seeds(long width, long height, int seeds, int downsample)
    {
        for (var seed = 0UL; seed < (ulong)seeds; seed++)
        {
            var blueprint = BlueprintGenerator.Create(seed, 0, "x", width, height, hasTumour: true);
            Assert.InRange(blueprint.Tissue.Tumour.Count, 1, 5);
            Assert.InRange(blueprint.Tumour.Tumour.Count, 1, 5);

            // Every tumour pixel is a tissue pixel (tissue pieces less their holes).
            var level = int.Log2(downsample);
            var tumour = AnnotationRasterizer.Rasterize(blueprint.Tumour, width, height, level, downsample);
            var tissue = AnnotationRasterizer.Rasterize(blueprint.Tissue, width, height, level, downsample);
            Assert.True(tumour.CountForeground() > 0, $"seed {seed}: tumour covers no pixel");
            for (var i = 0; i < tumour.Data.Length; i++)
                Assert.True(tumour.Data[i] == 0 || tissue.Data[i] != 0, $"seed {seed}: tumour pixel {i} is outside tissue");

            // Pieces stay inside the slide.
            foreach (var piece in blueprint.Tissue.Tumour)
            {
                var (minX, minY, maxX, maxY) = PolygonGeometry.Bounds(piece.Vertices);
                Assert.True(minX >= 0 && minY >= 0 && maxX <= width && maxY <= height, $"seed {seed}: {piece.Name} leaves the slide");
            }
        }
    }

    [Fact]
    public void Lesion_sizes_range_from_isolated_tumour_cells_to_millimetres_on_a_large_slide()
    {
        var diameters = new List<double>(); // um, as the largest extent of the outline
        for (var seed = 0UL; seed < 30; seed++)
        {
            foreach (var outline in BlueprintGenerator.Create(seed, 3, "x", 100_000, 100_000, hasTumour: true).Tumour.Tumour)
            {
                var (minX, minY, maxX, maxY) = PolygonGeometry.Bounds(outline.Vertices);
                diameters.Add(Math.Max(maxX - minX, maxY - minY) * CohortSynthesizer.MicronsPerPixel);
            }
        }
        Assert.Contains(diameters, d => d < 200);    // isolated tumour cells: under 0.2 mm (AJCC)
        Assert.Contains(diameters, d => d > 2000);   // macrometastasis: over 2 mm
        Assert.Contains(diameters, d => d is > 200 and < 2000); // micrometastasis
    }

    [Fact]
    public void A_normal_slide_has_tissue_and_no_tumour()
    {
        var blueprint = BlueprintGenerator.Create(1, 0, "x", 5000, 5000, hasTumour: false);
        Assert.False(blueprint.HasTumour);
        Assert.Empty(blueprint.Tumour.Tumour);
        Assert.InRange(AnnotationRasterizer.Rasterize(blueprint.Tissue, 5000, 5000, 5, 32).ForegroundFraction, 0.05, 0.8);
    }
}
