using OrleansPathology.Annotations;

namespace OrleansPathology.Synthesis;

/// <summary>
/// Everything a tile renderer needs about one slide, shared read-only by all workers: where tissue and tumour are
/// (prepared from the outlines, tumour from the annotation XML as written), the slide's stain batch and the keys
/// of its random fields.
/// </summary>
internal sealed class SlideTexture
{
    public SlideTexture(SlideBlueprint blueprint, SlideAnnotations tumour)
    {
        Blueprint = blueprint;
        Tissue = AnnotationRasterizer.Prepare(blueprint.Tissue, 1.0);
        Tumour = tumour.Tumour.Count == 0 ? null : AnnotationRasterizer.Prepare(tumour, 1.0);
        var rng = SplitMix64.For(blueprint.Key, 1);
        Palette = new StainPalette(rng.Uniform(0.88, 1.12), rng.Uniform(0.85, 1.15),
            (rng.Uniform(0.035, 0.06), rng.Uniform(0.04, 0.07), rng.Uniform(0.03, 0.06)));
        DensityKey = rng.NextUInt64();
        NucleusKey = rng.NextUInt64();
        TumourKey = rng.NextUInt64();
        FibreKey = rng.NextUInt64();
        GrainOffset = (rng.NextInt(0, NoiseTables.GrainSize), rng.NextInt(0, NoiseTables.GrainSize));
        FibreOffset = (rng.NextInt(0, NoiseTables.FibreSize), rng.NextInt(0, NoiseTables.FibreSize));
        WarpOffset = (rng.NextInt(0, NoiseTables.WarpSize), rng.NextInt(0, NoiseTables.WarpSize));
        FibreAngle = rng.Uniform(0, Math.PI);
    }

    public SlideBlueprint Blueprint { get; }

    /// <summary>Tissue pieces less their holes, at level 0.</summary>
    public AnnotationRaster Tissue { get; }

    /// <summary>Tumour at level 0, or null on a slide without tumour.</summary>
    public AnnotationRaster? Tumour { get; }

    public StainPalette Palette { get; }
    public ulong DensityKey { get; }
    public ulong NucleusKey { get; }
    public ulong TumourKey { get; }
    public ulong FibreKey { get; }
    public (int X, int Y) GrainOffset { get; }
    public (int X, int Y) FibreOffset { get; }
    public (int X, int Y) WarpOffset { get; }

    /// <summary>Main direction of the collagen fibres, radians.</summary>
    public double FibreAngle { get; }
}
