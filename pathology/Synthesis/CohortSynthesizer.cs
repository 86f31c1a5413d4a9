using System.Globalization;
using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Imaging;

namespace OrleansPathology.Synthesis;

/// <summary>
/// Writes a synthetic CAMELYON16-style cohort: per slide a pyramidal JPEG BigTIFF (slides/), the tumour outlines as
/// ASAP XML (annotations/, tumour slides only), level-5 truth and tissue masks with PNG previews (masks/), a
/// downsample-64 thumbnail (thumbnails/); then cohort.json and dataset.json. The tumour XML, once written, is the
/// single source of truth: it is read back, and both the pixels and the truth mask are made from what was read.
/// </summary>
public static class CohortSynthesizer
{
    /// <summary>CAMELYON16's level-0 resolution (both scanners, 40x objective), micrometres per pixel.</summary>
    public const double MicronsPerPixel = 0.243;

    /// <summary>The truth mask level: CAMELYON16's evaluation masks are at level 5 (downsample 32).</summary>
    public const int TruthLevel = 5;

    /// <summary>The thumbnail level (downsample 64).</summary>
    public const int ThumbnailLevel = 6;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static CohortManifest Run(SynthesisOptions options, IProgress<SynthesisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TurboJpegEncoder.EnsureAvailable();
        var root = options.OutputDirectory;
        foreach (var folder in new[] { "slides", "annotations", "masks", "thumbnails" }) Directory.CreateDirectory(Path.Combine(root, folder));

        var plan = CohortPlan.Create(options);
        var slides = new List<CohortSlide>();
        var trainPatches = new List<SlidePatches>();
        for (var i = 0; i < options.Slides; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (slide, patches) = WriteSlide(options, plan, i, progress, cancellationToken);
            slides.Add(slide);
            if (patches is not null) trainPatches.Add(patches);
        }

        var manifest = new CohortManifest($"synth-{options.Seed}", options.Seed, slides);
        WriteJson(Path.Combine(root, CohortManifest.FileName), manifest);
        // Slide order in the plan is a seeded draw, so taking "the last" slides for validation is a random choice.
        var ordered = plan.TrainOrder.Select(i => trainPatches.Single(p => p.Image == SlidePath(plan.Ids[i]))).ToList();
        WriteJson(Path.Combine(root, PatchDataset.FileName), DatasetAssembler.Assemble(ordered));
        return manifest;
    }

    private static (CohortSlide Slide, SlidePatches? Patches) WriteSlide(SynthesisOptions options, CohortPlan plan, int index,
        IProgress<SynthesisProgress>? progress, CancellationToken cancellationToken)
    {
        var root = options.OutputDirectory;
        var id = plan.Ids[index];
        var hasTumour = plan.HasTumour[index];
        var (width, height) = (options.Width, options.Height);
        progress?.Report(new SynthesisProgress(index, options.Slides, id, hasTumour, 0, false));

        var blueprint = BlueprintGenerator.Create(options.Seed, index, id, width, height, hasTumour);
        string? annotationPath = null;
        var tumour = SlideAnnotations.Empty;
        var xml = Path.Combine(root, $"annotations/{id}.xml");
        if (hasTumour)
        {
            annotationPath = $"annotations/{id}.xml";
            AsapXml.Write(xml, blueprint.Tumour);
            tumour = AsapXml.Read(xml);
        }
        else
        {
            File.Delete(xml); // a same-named slide of an earlier run into this folder may have had tumour
        }

        var texture = new SlideTexture(blueprint, tumour);
        var thumbnail = new ThumbnailCollector(width, height, ThumbnailLevel);
        var writerOptions = new PyramidWriterOptions
        {
            PixelsPerCentimetre = 10_000 / MicronsPerPixel,
            JpegQuality = options.JpegQuality,
            Parallelism = options.Parallelism,
            // Not a vendor signature: OpenSlide must read the file as generic-tiff.
            Description = string.Create(CultureInfo.InvariantCulture,
                $"OrleansPathology synthetic H&E lymph node; seed={options.Seed}; slide={index}; mpp={MicronsPerPixel}"),
        };
        PyramidWriter.Write(Path.Combine(root, SlidePath(id)), width, height, new HeTileSource(texture), writerOptions,
            thumbnail.OnStrip, progress is null ? null : new SynchronousProgress(f =>
                progress.Report(new SynthesisProgress(index, options.Slides, id, hasTumour, f, false))), cancellationToken);

        var downsample = 1 << TruthLevel;
        var truth = AnnotationRasterizer.Rasterize(tumour, width, height, TruthLevel, downsample);
        var tissue = AnnotationRasterizer.Rasterize(blueprint.Tissue, width, height, TruthLevel, downsample);
        var truthPath = $"masks/{id}.truth.mask";
        var tissuePath = $"masks/{id}.tissue.mask";
        var thumbnailPath = $"thumbnails/{id}.png";
        truth.Save(Path.Combine(root, truthPath));
        tissue.Save(Path.Combine(root, tissuePath));
        truth.SaveNpy(Path.Combine(root, truthPath + ".npy"));
        tissue.SaveNpy(Path.Combine(root, tissuePath + ".npy"));
        WritePreview(Path.Combine(root, $"masks/{id}.truth.png"), truth);
        WritePreview(Path.Combine(root, $"masks/{id}.tissue.png"), tissue);
        PngWriter.WriteRgb(Path.Combine(root, thumbnailPath), thumbnail.Image);

        SlidePatches? patches = null;
        if (plan.Split[index] == CohortSplits.Train)
        {
            var rng = SplitMix64.For(blueprint.Key, 2);
            var tumourCentres = PatchSampler.Tumour(truth, texture.Tumour, width, height, options.PatchesPerSlide, ref rng);
            // Enough normal candidates for this slide to carry the balance of tumour slides alongside it.
            var normalCentres = PatchSampler.Normal(tissue, truth, texture.Tissue, texture.Tumour, width, height, options.PatchesPerSlide * 2, ref rng);
            patches = new SlidePatches(SlidePath(id), hasTumour, tumourCentres, normalCentres);
        }

        progress?.Report(new SynthesisProgress(index, options.Slides, id, hasTumour, 1, true));
        return (new CohortSlide(id, SlidePath(id), plan.Split[index], hasTumour, annotationPath, truthPath, tissuePath, thumbnailPath,
            width, height, MicronsPerPixel, MicronsPerPixel, tumour.Tumour.Count), patches);
    }

    private static string SlidePath(string id) => $"slides/{id}.tif";

    private static void WritePreview(string path, SlideMask mask)
    {
        var grey = new byte[mask.Data.Length];
        for (var i = 0; i < grey.Length; i++) grey[i] = mask.Data[i] == 0 ? (byte)0 : (byte)255;
        PngWriter.WriteGray(path, mask.Width, mask.Height, grey);
    }

    private static void WriteJson<T>(string path, T value)
    {
        using var file = File.Create(path);
        JsonSerializer.Serialize(file, value, Json);
    }

    /// <summary>Reports on the caller's thread: <see cref="Progress{T}"/> would post to the thread pool, out of order.</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
