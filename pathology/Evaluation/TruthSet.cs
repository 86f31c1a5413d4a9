using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;

namespace OrleansPathology.Evaluation;

/// <summary>Which level-0 resolution converts the protocol's micrometres (75 um growth, 275 um ITC limit) to pixels.</summary>
public enum TruthResolution
{
    /// <summary>
    /// The challenge's: <c>Evaluation_FROC.py</c> fixes <c>L0_RESOLUTION = 0.243</c> for every slide (the Utrecht slides
    /// at 0.226 um/px included), so scores compare with published ones. <see cref="TruthOptions.DefaultMicronsPerPixel"/>.
    /// </summary>
    Official,

    /// <summary>Each slide's own, from the slide, its sidecar or its cohort entry (the same physical sizes on every scanner).</summary>
    Slide,
}

/// <summary>How <see cref="TruthSet.Load"/> finds what annotation files do not say.</summary>
public sealed record TruthOptions
{
    /// <summary>Official (default): 0.243 um/px for all slides, as the challenge's script; or each slide's own.</summary>
    public TruthResolution Resolution { get; init; } = TruthResolution.Official;

    /// <summary>
    /// A folder holding the slides (any file whose name without extension is the slide id): an annotation is rasterised
    /// against its slide's level-0 size, and the slide's resolution converts the protocol's micrometres. Default none.
    /// </summary>
    public string? SlidesDirectory { get; init; }

    /// <summary>The official resolution, and that of slides that state none under <see cref="TruthResolution.Slide"/>. Default 0.243 um/px.</summary>
    public double DefaultMicronsPerPixel { get; init; } = CamelyonProtocol.ReferenceMicronsPerPixel;
}

/// <summary>
/// The ground truth of a test set, by slide id (compared without regard to case). Slides evaluated without an entry here
/// are normal slides: CAMELYON16 ships annotations for tumour slides only, so "no truth" means "no tumour".
/// </summary>
/// <remarks>
/// <see cref="Load"/> reads one of three layouts:
/// <list type="bullet">
/// <item>a cohort of <c>opath synth</c>: the folder (or its <c>cohort.json</c>); every slide's <c>truthMask</c> and resolution;</item>
/// <item>a folder of level-5 masks (<c>{id}.truth.mask</c> as <c>opath synth</c> writes them to <c>masks/</c>, or <c>{id}.mask</c>
/// as <c>opath annotations</c> writes them, or their numpy <c>.npy</c> copies; <c>*.tissue.mask</c> is skipped), or the official
/// CAMELYON16 mask TIFFs (<c>{id}_Mask.tif</c> or <c>{id}.tif</c>, read by <see cref="OfficialMaskTiff"/>);</item>
/// <item>a folder of annotations (<c>{id}.xml</c> CAMELYON16 ASAP XML, <c>{id}.json</c> NCRF JSON), rasterised at level 5
/// against the slide's level-0 size: from the slide in <see cref="TruthOptions.SlidesDirectory"/>, else from a sidecar
/// <c>{id}.slide.json</c> beside the annotation: <c>{"width": W, "height": H, "micronsPerPixel": 0.243}</c>.</item>
/// </list>
/// A mask and an annotation for the same id: the mask wins. A sidecar's <c>micronsPerPixel</c> applies to masks too.
/// </remarks>
public sealed class TruthSet
{
    /// <summary>Name suffix of the per-slide sidecar giving level-0 size and resolution.</summary>
    public const string SidecarSuffix = ".slide.json";

    private const string TruthMaskSuffix = ".truth.mask";
    private const string TissueMaskSuffix = ".tissue.mask";

    private readonly Dictionary<string, SlideTruth> _slides = new(StringComparer.OrdinalIgnoreCase);

    public TruthSet(IEnumerable<SlideTruth> slides, string source, string? resolutionRule = null)
    {
        Source = source;
        ResolutionRule = resolutionRule ?? "each truth's own resolution";
        foreach (var slide in slides)
        {
            if (!_slides.TryAdd(slide.SlideId, slide))
                throw new EvaluationException(source, $"slide '{slide.SlideId}' has two truths: {_slides[slide.SlideId].Source} and {slide.Source}");
        }
    }

    /// <summary>Where the truth was read from.</summary>
    public string Source { get; }

    /// <summary>How micrometres were converted, in words for the report: the official 0.243 um/px, or each slide's own.</summary>
    public string ResolutionRule { get; }

    public IReadOnlyCollection<SlideTruth> Slides => _slides.Values;

    /// <summary>The truth of <paramref name="slideId"/>, or null: a normal slide.</summary>
    public SlideTruth? Find(string slideId) => _slides.GetValueOrDefault(slideId);

    /// <summary>Reads a truth folder (or a cohort.json) in any of the layouts above.</summary>
    public static TruthSet Load(string path, TruthOptions? options = null)
    {
        options ??= new TruthOptions();
        if (File.Exists(path) && string.Equals(Path.GetFileName(path), CohortManifest.FileName, StringComparison.OrdinalIgnoreCase))
            return FromCohort(path, options);
        if (!Directory.Exists(path)) throw new EvaluationException(path, "truth folder not found");
        var cohort = Path.Combine(path, CohortManifest.FileName);
        if (File.Exists(cohort)) return FromCohort(cohort, options);

        var files = Directory.GetFiles(path).Order(StringComparer.Ordinal).ToList();
        var truths = new Dictionary<string, SlideTruth>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith(TissueMaskSuffix, StringComparison.OrdinalIgnoreCase)) continue;
            string? id = name.EndsWith(TruthMaskSuffix, StringComparison.OrdinalIgnoreCase) ? name[..^TruthMaskSuffix.Length]
                : name.EndsWith(".mask", StringComparison.OrdinalIgnoreCase) ? name[..^".mask".Length]
                : null;
            if (id is null) continue;
            var mpp = Resolution(options, Sidecar.Read(path, id)?.MicronsPerPixel);
            if (!truths.TryAdd(id, new SlideTruth(id, file, mpp, () => SlideMask.Load(file))))
                throw new EvaluationException(path, $"slide '{id}' has two truth masks: {truths[id].Source} and {file}");
        }
        AddOfficialTiffs(path, files, truths, options);
        AddNumpyMasks(path, files, truths, options);

        var slideFiles = SlideFiles(options.SlidesDirectory);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var extension = Path.GetExtension(name).ToLowerInvariant();
            if (extension is not (".xml" or ".json") || name.EndsWith(SidecarSuffix, StringComparison.OrdinalIgnoreCase)) continue;
            var id = Path.GetFileNameWithoutExtension(name);
            if (truths.ContainsKey(id)) continue;
            truths[id] = FromAnnotation(path, file, id, slideFiles, options);
        }

        if (truths.Count == 0)
            throw new EvaluationException(path, "holds no ground truth: expected cohort.json, level-5 masks ({id}.truth.mask, {id}.mask, {id}.npy), "
                + "CAMELYON16 mask TIFFs ({id}_Mask.tif), or annotations ({id}.xml, {id}.json)");
        return new TruthSet(truths.Values, path, RuleOf(options));
    }

    private static string RuleOf(TruthOptions options) => options.Resolution == TruthResolution.Official
        ? FormattableString.Invariant($"official: {options.DefaultMicronsPerPixel} um/px for every slide, as Evaluation_FROC.py")
        : FormattableString.Invariant($"each slide's own um/px ({options.DefaultMicronsPerPixel} where nothing states it)");

    private static double Resolution(TruthOptions options, double? stated) =>
        options.Resolution == TruthResolution.Official ? options.DefaultMicronsPerPixel : stated ?? options.DefaultMicronsPerPixel;

    // The official ground truth: Tumor_001_Mask.tif beside (or instead of) Tumor_001.xml; a mask file wins over an annotation.
    private static void AddOfficialTiffs(string folder, List<string> files, Dictionary<string, SlideTruth> truths, TruthOptions options)
    {
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var suffix = OfficialMaskTiff.Suffixes.FirstOrDefault(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase));
            if (suffix is null) continue;
            var id = name[..^suffix.Length];
            if (truths.ContainsKey(id)) continue;
            truths[id] = new SlideTruth(id, file, Resolution(options, Sidecar.Read(folder, id)?.MicronsPerPixel), () => OfficialMaskTiff.Read(file));
        }
    }

    // {id}.npy, {id}.truth.npy or {id}.mask.npy: a numpy truth mask at the protocol's level 5 (the file cannot say its level);
    // skipped where the same id already has a mask, as opath annotations writes {id}.mask and {id}.mask.npy side by side.
    private static void AddNumpyMasks(string folder, List<string> files, Dictionary<string, SlideTruth> truths, TruthOptions options)
    {
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            if (!name.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) || name.Contains(".tissue.", StringComparison.OrdinalIgnoreCase)) continue;
            var id = name[..^".npy".Length];
            foreach (var suffix in new[] { ".truth.mask", ".truth", ".mask" })
            {
                if (id.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) { id = id[..^suffix.Length]; break; }
            }
            if (truths.ContainsKey(id)) continue;
            truths[id] = new SlideTruth(id, file, Resolution(options, Sidecar.Read(folder, id)?.MicronsPerPixel), () =>
            {
                var array = NpyFile.Read(file);
                var data = array.Values.Select(v => v == 0 ? (byte)0 : (byte)1).ToArray();
                return new SlideMask(array.Columns, array.Rows, CamelyonProtocol.EvaluationLevel, CamelyonProtocol.EvaluationDownsample, data);
            });
        }
    }

    private static TruthSet FromCohort(string cohortPath, TruthOptions options)
    {
        CohortManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CohortManifest>(File.ReadAllText(cohortPath), new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
        }
        catch (JsonException ex)
        {
            throw new EvaluationException(cohortPath, $"not a cohort file: {ex.Message}", ex);
        }
        if (manifest?.Slides is null) throw new EvaluationException(cohortPath, "not a cohort file: no \"slides\" list");
        var folder = Path.GetDirectoryName(Path.GetFullPath(cohortPath))!;
        var truths = manifest.Slides.Select(slide =>
        {
            if (string.IsNullOrEmpty(slide.Id) || string.IsNullOrEmpty(slide.TruthMask))
                throw new EvaluationException(cohortPath, $"a slide entry lacks \"id\" or \"truthMask\" (id '{slide.Id}')");
            var mask = Path.Combine(folder, slide.TruthMask);
            var mpp = Resolution(options, slide.MppX > 0 && slide.MppY > 0 ? (slide.MppX + slide.MppY) / 2 : null);
            return new SlideTruth(slide.Id, mask, mpp, () => SlideMask.Load(mask));
        });
        return new TruthSet(truths, cohortPath, RuleOf(options));
    }

    private static SlideTruth FromAnnotation(string folder, string file, string id, IReadOnlyDictionary<string, string> slideFiles, TruthOptions options)
    {
        var sidecar = Sidecar.Read(folder, id);
        long width, height;
        double? mpp = sidecar?.MicronsPerPixel;
        if (slideFiles.TryGetValue(id, out var slidePath))
        {
            using var slide = Slide.Open(slidePath);
            (width, height) = slide.Dimensions;
            mpp ??= slide.MicronsPerPixel?.Mean;
        }
        else if (sidecar is { Width: { } w, Height: { } h })
        {
            (width, height) = (w, h);
        }
        else
        {
            var where = options.SlidesDirectory is null ? "" : $" (no slide named {id}.* in {options.SlidesDirectory})";
            throw new EvaluationException(file, $"the slide's level-0 size is unknown{where}: give the slides folder, or a sidecar {id}{SidecarSuffix} with {{\"width\": W, \"height\": H}}");
        }
        var resolution = Resolution(options, mpp);
        // The annotation readers' errors already name the file and the problem.
        return new SlideTruth(id, file, resolution, () => AnnotationRasterizer.Rasterize(
            AnnotationFiles.Read(file), width, height, CamelyonProtocol.EvaluationLevel, CamelyonProtocol.EvaluationDownsample));
    }

    private static Dictionary<string, string> SlideFiles(string? directory)
    {
        var files = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (directory is null) return files;
        if (!Directory.Exists(directory)) throw new EvaluationException(directory, "slides folder not found");
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            files.TryAdd(Path.GetFileNameWithoutExtension(file), file);
        return files;
    }

    /// <summary><c>{id}.slide.json</c>: level-0 size and resolution of a slide that is not at hand.</summary>
    private sealed record Sidecar(long? Width, long? Height, double? MicronsPerPixel)
    {
        public static Sidecar? Read(string folder, string id)
        {
            var path = Path.Combine(folder, id + SidecarSuffix);
            if (!File.Exists(path)) return null;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object) throw new EvaluationException(path, "expected a JSON object {\"width\", \"height\", \"micronsPerPixel\"}");
                var width = Number(path, root, "width");
                var height = Number(path, root, "height");
                var mpp = Number(path, root, "micronsPerPixel") ?? Number(path, root, "mpp");
                if (width is <= 0 || height is <= 0 || width != Math.Floor(width ?? 0) || height != Math.Floor(height ?? 0))
                    throw new EvaluationException(path, $"width and height must be positive whole numbers (got {width}, {height})");
                if (mpp is { } m && !(m > 0)) throw new EvaluationException(path, $"micronsPerPixel must be positive (got {m})");
                return new Sidecar((long?)width, (long?)height, mpp);
            }
            catch (JsonException ex)
            {
                throw new EvaluationException(path, $"not valid JSON: {ex.Message}", ex);
            }
        }

        private static double? Number(string path, JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.Number) throw new EvaluationException(path, $"\"{name}\" is a JSON {value.ValueKind}, expected a number");
            return value.GetDouble();
        }
    }
}
