using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// Dense plans of a slide without computing them: batches, region shapes and computed pixels per tissue cell
/// (the geometric cost of dense inference; a cell's own stride x stride is the limit, a 224 patch per cell is patch mode)
/// for each region size and context margin.
/// </summary>
internal static class PlanBenchmark
{
    public sealed record Settings(string SlidePath, int Stride, int[] RegionCells, int[] Margins);

    public static void Run(Settings s)
    {
        using var slide = Slide.Open(s.SlidePath);
        var tissue = TissueDetector.Detect(slide).Mask;
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, s.Stride);
        Console.WriteLine($"## plan {Path.GetFileName(s.SlidePath)}: {slide.Dimensions.Width}x{slide.Dimensions.Height}, stride {s.Stride}, " +
            $"{grid.ForegroundCells(tissue).Count()} tissue cells; limit {s.Stride * s.Stride} px per cell, patch mode {FcnResNet18.PatchSize * FcnResNet18.PatchSize}");
        Console.WriteLine($"Lower bound for any exact scheme (every tissue cell's whole {FcnResNet18.PatchSize} window computed once, glass included): " +
            $"{WindowUnion(grid, tissue) / (double)grid.ForegroundCells(tissue).Count():0} px per tissue cell");
        var table = new MarkdownTable("region cells", "context margin px", "planner", "batches", "region shapes", "largest region px", "computed px per tissue cell", "patch / dense pixels");
        foreach (var regionCells in s.RegionCells)
        {
            var boxes = grid.ForegroundCells(tissue).GroupBy(c => (c.X / regionCells, c.Y / regionCells)).Select(g =>
                new CellRect(g.Min(c => c.X), g.Min(c => c.Y), g.Max(c => c.X) - g.Min(c => c.X) + 1, g.Max(c => c.Y) - g.Min(c => c.Y) + 1)).ToList();
            var cells = grid.ForegroundCells(tissue).Count();
            var boxPixels = boxes.Sum(r => { var (w, h) = DenseGeometry.RegionPixels(r, s.Stride, FcnResNet18.PatchSize); return (double)w * h; });
            table.Row(regionCells, 0, "bounding box per block (before)", boxes.Count, boxes.Select(r => (r.Width, r.Height)).Distinct().Count(),
                boxes.Max(r => DenseGeometry.RegionPixels(r, s.Stride, FcnResNet18.PatchSize).Width), boxPixels / cells, 50176.0 * cells / boxPixels); // 50176 * cells overflows int past 42,800 cells
            foreach (var (margin, canonical) in s.Margins.SelectMany(m => new[] { (m, false), (m, true) }))
            {
                var plan = TileBatchPlanner.PlanDense(slide.Path, grid, tissue, regionCells, FcnResNet18.PatchSize, margin, canonical);
                var pixels = plan.Sum(DenseGeometry.ComputedPixels);
                var shapes = plan.Select(b => DenseGeometry.RegionPixels(b.Region!.Value, s.Stride, FcnResNet18.PatchSize, margin)).ToList();
                table.Row(regionCells, margin, canonical ? "tissue cover, canonical shapes" : "tissue cover", plan.Count, shapes.Distinct().Count(), shapes.Max(p => Math.Max(p.Width, p.Height)),
                    (double)pixels / cells, 50176.0 * cells / pixels);
            }
        }
    }

    // Pixels in the union of the tissue cells' windows, on a 16 px lattice (window edges fall on it at stride 64).
    private static long WindowUnion(CellGrid grid, Imaging.SlideMask tissue)
    {
        const int Step = 16;
        var half = FcnResNet18.PatchSize / 2;
        var width = (int)((grid.SlideWidth + 2 * half) / Step + 2);
        var height = (int)((grid.SlideHeight + 2 * half) / Step + 2);
        var covered = new bool[width, height];
        long count = 0;
        foreach (var cell in grid.ForegroundCells(tissue))
        {
            var (ox, oy) = grid.PatchOrigin(cell, FcnResNet18.PatchSize);
            for (var y = (oy + half) / Step; y < (oy + half + FcnResNet18.PatchSize) / Step; y++)
                for (var x = (ox + half) / Step; x < (ox + half + FcnResNet18.PatchSize) / Step; x++)
                {
                    if (covered[x, y]) continue;
                    covered[x, y] = true;
                    count++;
                }
        }
        return count * Step * Step;
    }
}
