using OrleansPathology.Annotations;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Training;

/// <summary>A slide to draw patches from, with its ASAP XML tumour outlines (null for a slide without tumour, as CAMELYON16 ships none).</summary>
public sealed record AnnotatedSlide(string SlidePath, string? AnnotationPath);

/// <summary>How <see cref="DatasetBuilder"/> draws patches.</summary>
public sealed record DatasetBuilderOptions
{
    /// <summary>Tumour patches drawn from each annotated slide (fewer where the tumour is too small). Default 64.</summary>
    public int TumourPatchesPerSlide { get; init; } = 64;

    /// <summary>
    /// The most tumour patches asked of one slide: a million 224-pixel patches already cover 50 gigapixels, more than
    /// any slide's tumour, and counts beyond it would overflow the per-cohort totals.
    /// </summary>
    public const int MaxTumourPatchesPerSlide = 1_000_000;

    /// <summary>The seed: the same slides, annotations and options give the same dataset.</summary>
    public ulong Seed { get; init; }

    /// <summary>How tissue is found. Default: NCRF's rule at downsample 64.</summary>
    public TissueMaskOptions Tissue { get; init; } = new();

    /// <summary>Patch side, level-0 pixels. Default 224 (ResNet18's input).</summary>
    public int PatchSize { get; init; } = Model.FcnResNet18.PatchSize;

    /// <summary>Draw attempts allowed per wanted patch before a slide is taken as having no more room.</summary>
    public int AttemptsPerPatch { get; init; } = 20;
}

/// <summary>
/// Builds a Clara-style dataset from slides, their ASAP XML annotations and tissue masks, the NCRF way: a tumour
/// patch is centred on a level-0 pixel inside a tumour outline (exclusions cut out, as the CAMELYON16 masks are made);
/// a normal patch is centred in tissue (<see cref="TissueDetector"/>) and its whole window holds no tumour pixel at
/// level 0. Candidates come from the coarse masks (tissue and rasterised tumour at the tissue mask's downsample),
/// each is confirmed at level 0, and every window lies inside the slide.
/// </summary>
/// <remarks>
/// Balance: every tumour patch drawn is kept, and as many normal patches are taken round-robin across all slides of
/// the list (tumour slides' normal tissue included, as in NCRF's normal lists). If the slides hold too few normal
/// patches, tumour patches are cut to match. Randomness comes from the seed and the slide's position in its list
/// (<see cref="SplitMix64.For"/>), so a slide's draws do not depend on thread timing.
/// </remarks>
public static class DatasetBuilder
{
    /// <summary>Builds both lists: patches of <paramref name="training"/> slides and of <paramref name="validation"/> slides (split by slide, never by patch).</summary>
    public static TrainingDataset Build(IReadOnlyList<AnnotatedSlide> training, IReadOnlyList<AnnotatedSlide> validation, DatasetBuilderOptions options)
    {
        var train = Sample(training, options, "training", stream: 0);
        var valid = Sample(validation, options, "validation", stream: 1 << 20);
        return new TrainingDataset(train, valid, $"built from {training.Count} training and {validation.Count} validation slides (seed {options.Seed})");
    }

    /// <summary>Draws one balanced list from <paramref name="slides"/>; entries are named <c>{listName}[i]</c>.</summary>
    public static IReadOnlyList<TrainingSample> Sample(IReadOnlyList<AnnotatedSlide> slides, DatasetBuilderOptions options, string listName, int stream = 0)
    {
        ArgumentNullException.ThrowIfNull(slides);
        ArgumentOutOfRangeException.ThrowIfNegative(options.TumourPatchesPerSlide);
        if (options.TumourPatchesPerSlide > DatasetBuilderOptions.MaxTumourPatchesPerSlide)
            throw new ArgumentException($"{options.TumourPatchesPerSlide} tumour patches per slide is more than the {DatasetBuilderOptions.MaxTumourPatchesPerSlide} a slide can give");
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PatchSize, 2);
        if (slides.Count == 0) return [];

        var annotated = slides.Count(s => s.AnnotationPath is not null);
        var maximumTumour = (int)Math.Min(int.MaxValue / 4, (long)annotated * options.TumourPatchesPerSlide);
        // Each slide offers a pool a little over its fair share of the normal patches, so a slide with little
        // tissue is made up for by the others without drawing every slide's whole share of the total.
        var normalPool = Math.Min(maximumTumour, 2 * (int)Math.Ceiling(maximumTumour / (double)slides.Count) + 16);

        var draws = slides.Select((slide, i) => Draw(slide, options, options.TumourPatchesPerSlide, normalPool, SplitMix64.For(options.Seed, stream + i))).ToList();

        var tumour = draws.SelectMany(d => d.Tumour.Select(p => (d.Image, p))).ToList();
        var normal = new List<(string Image, (long X, long Y) Centre)>();
        var cursor = new int[draws.Count];
        for (var progress = true; normal.Count < tumour.Count && progress;)
        {
            progress = false;
            for (var i = 0; i < draws.Count && normal.Count < tumour.Count; i++)
            {
                if (cursor[i] >= draws[i].Normal.Count) continue;
                normal.Add((draws[i].Image, draws[i].Normal[cursor[i]++]));
                progress = true;
            }
        }
        if (tumour.Count > normal.Count) tumour = tumour.Take(normal.Count).ToList();

        // Interleaved, so the first N entries of the list hold both labels.
        var samples = new List<TrainingSample>(tumour.Count * 2);
        for (var i = 0; i < tumour.Count; i++)
        {
            samples.Add(new TrainingSample(tumour[i].Image, tumour[i].p.X, tumour[i].p.Y, TrainingSample.Tumour, $"{listName}[{samples.Count}]"));
            samples.Add(new TrainingSample(normal[i].Image, normal[i].Centre.X, normal[i].Centre.Y, TrainingSample.Normal, $"{listName}[{samples.Count}]"));
        }
        return samples;
    }

    private sealed record SlideDraw(string Image, List<(long X, long Y)> Tumour, List<(long X, long Y)> Normal);

    private static SlideDraw Draw(AnnotatedSlide source, DatasetBuilderOptions options, int tumourCount, int normalCount, SplitMix64 rng)
    {
        var image = Path.GetFullPath(source.SlidePath);
        using var slide = Slide.Open(image);
        var (width, height) = slide.Dimensions;
        var tissue = TissueDetector.Detect(slide, options.Tissue).Mask;
        var annotations = source.AnnotationPath is null ? null : AsapXml.Read(source.AnnotationPath);
        var coarseTumour = annotations is null ? null : AnnotationRasterizer.Rasterize(annotations, width, height, tissue.Level, tissue.Downsample);
        var level0 = annotations is null ? null : AnnotationRasterizer.Prepare(annotations, 1);
        var geometry = new Geometry(width, height, options.PatchSize, tissue.Downsample);
        var window = new byte[options.PatchSize * options.PatchSize];

        var tumour = coarseTumour is null || level0 is null
            ? []
            : DrawCentres(Foreground(coarseTumour, _ => true), coarseTumour.Width, geometry, tumourCount, options.AttemptsPerPatch, ref rng,
                (x, y) => LabelAt(level0, x, y) == AnnotationRaster.TumourLabel);

        var normal = DrawCentres(
            Foreground(tissue, i => coarseTumour is null || At(coarseTumour, i % tissue.Width, i / tissue.Width) == 0),
            tissue.Width, geometry, normalCount, options.AttemptsPerPatch, ref rng,
            (x, y) => level0 is null || !AnyTumour(level0, x - options.PatchSize / 2, y - options.PatchSize / 2, options.PatchSize, window));
        return new SlideDraw(image, tumour, normal);
    }

    private readonly record struct Geometry(long Width, long Height, int PatchSize, double Downsample);

    private static List<(long X, long Y)> DrawCentres(List<int> candidates, int maskWidth, Geometry g, int count, int attemptsPerPatch, ref SplitMix64 rng, Func<long, long, bool> accept)
    {
        var result = new List<(long X, long Y)>();
        var taken = new HashSet<(long, long)>();
        var half = g.PatchSize / 2;
        for (var attempt = 0; result.Count < count && candidates.Count > 0 && attempt < (long)count * attemptsPerPatch; attempt++)
        {
            var pixel = candidates[rng.NextInt(0, candidates.Count)];
            // Anywhere inside the drawn mask pixel.
            var x = (long)((pixel % maskWidth + rng.NextDouble()) * g.Downsample);
            var y = (long)((pixel / maskWidth + rng.NextDouble()) * g.Downsample);
            if (x - half < 0 || y - half < 0 || x - half + g.PatchSize > g.Width || y - half + g.PatchSize > g.Height) continue;
            if (!taken.Add((x, y)) || !accept(x, y)) continue;
            result.Add((x, y));
        }
        return result;
    }

    private static List<int> Foreground(SlideMask mask, Func<int, bool> also)
    {
        var list = new List<int>();
        for (var i = 0; i < mask.Data.Length; i++)
        {
            if (mask.Data[i] != 0 && also(i)) list.Add(i);
        }
        return list;
    }

    // The rasterised tumour mask is ceil(level0 / downsample) wide; a pyramid level used as the tissue mask may be a
    // pixel narrower or wider, so lookups across the two are bounds-checked.
    private static byte At(SlideMask mask, int x, int y) => x < mask.Width && y < mask.Height ? mask[x, y] : (byte)0;

    private static byte LabelAt(AnnotationRaster raster, long x, long y)
    {
        Span<byte> label = stackalloc byte[1];
        raster.FillWindow(x, y, 1, 1, label);
        return label[0];
    }

    private static bool AnyTumour(AnnotationRaster raster, long x, long y, int size, byte[] window)
    {
        if (!raster.MayContainTumour(x, y, size, size)) return false;
        raster.FillWindow(x, y, size, size, window);
        return window.AsSpan(0, size * size).ContainsAnyExcept((byte)0);
    }
}
