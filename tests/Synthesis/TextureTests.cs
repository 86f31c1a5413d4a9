using OrleansPathology.Annotations;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>
/// The tumour is learnable but not by colour alone: on a slide written and read back like any other, tumour windows
/// have the mean colour of dense normal windows, and differ from exactly those windows in nuclear size.
/// </summary>
public sealed class TextureTests : IDisposable
{
    private const int Window = 256;
    private readonly string _dir = TestData.NewTempDir("opath-texture");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Tumour_matches_dense_normal_tissue_in_mean_colour_but_not_in_nuclear_size()
    {
        // One tissue block: the left 3072 px tumour, the rest normal lymph node (dense and loose areas by the density field).
        const long width = 10240, height = 3072, tumourWidth = 3072;
        var tissue = new SlideAnnotations([Box("tissue", 0, 0, width, height)], []);
        var tumour = new SlideAnnotations([Box("tumour", 0, 0, tumourWidth, height)], []);
        var blueprint = new SlideBlueprint("texture", 0, width, height, 42, tissue, tumour);
        var path = Path.Combine(_dir, "texture.tif");
        PyramidWriter.Write(path, width, height, new HeTileSource(new SlideTexture(blueprint, tumour)),
            new PyramidWriterOptions { PixelsPerCentimetre = 10_000 / CohortSynthesizer.MicronsPerPixel });

        using var slide = Slide.Open(path);
        var tumourWindows = new List<TextureMeasure>();
        var normalWindows = new List<TextureMeasure>();
        for (long y = 0; y < height; y += Window)
        for (long x = 0; x < width; x += Window)
        {
            var measure = TextureMeasure.Of(slide.ReadRegion(x, y, 0, Window, Window).Pixels, Window, Window);
            (x < tumourWidth ? tumourWindows : normalWindows).Add(measure);
        }

        var tumourMean = Mean(tumourWindows);
        // Colour: a tenth of the normal windows lie within 10 RGB levels of the tumour's mean colour, and the tumour's
        // windows are not all darker than the normal ones (a colour threshold cannot cut tumour off).
        var lookalikes = normalWindows.Where(m => m.ColourDistance(tumourMean) < 10).ToList();
        Assert.True(lookalikes.Count >= normalWindows.Count / 10, $"only {lookalikes.Count} of {normalWindows.Count} normal windows are within 10 levels of tumour {tumourMean}");
        Assert.True(tumourWindows.Count(t => t.R > normalWindows.Min(n => n.R)) > tumourWindows.Count / 2,
            "most tumour windows are darker in red than every normal window");

        // Texture: in exactly those look-alike windows, few nuclear pixels belong to large nuclei; in tumour, many.
        var lookalikeMean = Mean(lookalikes);
        Assert.True(tumourMean.LargeNuclearShare > 4 * lookalikeMean.LargeNuclearShare,
            $"tumour {tumourMean} vs colour-matched normal {lookalikeMean}");
        Assert.InRange(tumourMean.LargeNuclearShare, 0.2, 1);
    }

    private static AnnotationPolygon Box(string name, double x0, double y0, double x1, double y1) =>
        new(name, AsapGroups.Tumour, [new PointD(x0, y0), new PointD(x1, y0), new PointD(x1, y1), new PointD(x0, y1)]);

    private static TextureMeasure Mean(List<TextureMeasure> measures) => new(
        measures.Average(m => m.R), measures.Average(m => m.G), measures.Average(m => m.B),
        measures.Average(m => m.NuclearFraction), measures.Average(m => m.LargeNuclearShare));
}
