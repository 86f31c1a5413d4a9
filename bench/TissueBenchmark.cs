using System.Diagnostics;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Bench;

/// <summary>
/// Tissue masks against the truth: per artefact, the IoU of the Otsu (NCRF/MONAI) rule and of the robust rule
/// with the drawn scene's true tissue (mean and worst over seeds); on real slides, the robust mask's IoU with the
/// Otsu mask; and, for a given slide, how long each method takes.
/// </summary>
public static class TissueBenchmark
{
    public sealed record Settings(int Seeds, int Side, IReadOnlyList<string> RealSlides, string? TimedSlide, string? Figures, string? Tiffs = null);

    public static void Run(Settings settings)
    {
        var otsu = new TissueMaskOptions { Method = TissueMethod.Otsu };
        var robust = new TissueMaskOptions { Method = TissueMethod.Robust };
        if (settings.Figures is { } figures) Directory.CreateDirectory(figures);

        Console.WriteLine($"Drawn scenes: {settings.Side}x{settings.Side} mask pixels, seeds 1..{settings.Seeds}; IoU with the true tissue, mean (worst).");
        Console.WriteLine();
        Console.WriteLine("| artefact | otsu IoU | robust IoU | robust IoU with otsu |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var artefact in Enum.GetValues<SlideArtefact>())
        {
            var o = new List<double>();
            var r = new List<double>();
            var agreement = new List<double>();
            for (var seed = 1; seed <= settings.Seeds; seed++)
            {
                var scene = ArtefactScene.Draw(artefact, settings.Side, settings.Side, seed);
                var otsuMask = TissueDetector.Detect(scene.Image, otsu);
                var robustMask = TissueDetector.Detect(scene.Image, robust);
                o.Add(MaskAgreement.IoU(otsuMask, scene.Truth));
                r.Add(MaskAgreement.IoU(robustMask, scene.Truth));
                agreement.Add(MaskAgreement.IoU(robustMask, otsuMask));
                if (settings.Figures is { } dir && seed == 1) WriteFigure(dir, artefact.ToString(), scene.Image, scene.Truth, otsuMask, robustMask);
                if (settings.Figures is { } all && artefact == SlideArtefact.All) WriteFigure(all, $"All-seed{seed}", scene.Image, scene.Truth, otsuMask, robustMask);
                if (artefact == SlideArtefact.All) Console.Error.WriteLine($"All seed {seed}: robust {r[^1]:0.000}");
            }
            Console.WriteLine($"| {artefact} | {o.Average():0.000} ({o.Min():0.000}) | {r.Average():0.000} ({r.Min():0.000}) | {agreement.Average():0.000} |");
        }

        Ablation(settings);
        if (settings.Tiffs is { } tiffs) ThroughOpenSlide(settings, tiffs, otsu, robust);

        if (settings.RealSlides.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| real slide | mask | otsu tissue | robust tissue | robust IoU with otsu |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var path in settings.RealSlides)
            {
                using var slide = Slide.Open(path);
                var o = TissueDetector.Detect(slide, otsu);
                var r = TissueDetector.Detect(slide, robust);
                Console.WriteLine($"| {Path.GetFileName(path)} | {o.Mask.Width}x{o.Mask.Height} | {o.TissueFraction:0.000} | {r.TissueFraction:0.000} | {MaskAgreement.IoU(r.Mask.Data, o.Mask.Data):0.000} |");
                if (settings.Figures is { } dir) WriteFigure(dir, Path.GetFileNameWithoutExtension(path), o.Image, null, o.Mask.Data, r.Mask.Data);
            }
            AgainstLevelZero(settings.RealSlides, otsu, robust);
        }

        if (settings.TimedSlide is { } timed)
        {
            Console.WriteLine();
            Console.WriteLine("| slide | level 0 | method | mask | read + mask, s | rule alone, s | tissue | IoU with otsu |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            byte[]? otsuMask = null;
            // One untimed pass of each first, so neither timing pays for JIT compilation or OpenSlide's first open.
            foreach (var options in new[] { otsu, robust })
            {
                using var warm = Slide.Open(timed);
                TissueDetector.Detect(warm, options);
            }
            foreach (var options in new[] { otsu, robust })
            {
                using var slide = Slide.Open(timed);
                var clock = Stopwatch.StartNew();
                var result = TissueDetector.Detect(slide, options);
                var total = clock.Elapsed.TotalSeconds;
                clock.Restart();
                TissueDetector.Detect(result.Image, options);
                var rule = clock.Elapsed.TotalSeconds;
                Console.WriteLine($"| {Path.GetFileName(timed)} | {slide.Dimensions.Width}x{slide.Dimensions.Height} | {TissueMethods.Name(options.Method)} | " +
                    $"{result.Mask.Width}x{result.Mask.Height} (level {result.Mask.Level}) | {total:0.00} | {rule:0.00} | {result.TissueFraction:0.000} | " +
                    $"{MaskAgreement.IoU(result.Mask.Data, otsuMask ??= result.Mask.Data):0.000} |");
            }
        }
    }

    /// <summary>
    /// Real slides judged against their own level 0 (<see cref="FullResolutionCover"/>): a cell is tissue when at least
    /// half (or a quarter) of its level-0 pixels pass Otsu on level 0's saturation. IoU and the share of those cells kept.
    /// </summary>
    private static void AgainstLevelZero(IReadOnlyList<string> slides, TissueMaskOptions otsu, TissueMaskOptions robust)
    {
        Console.WriteLine();
        Console.WriteLine("Against level 0: a cell is tissue when at least `cover` of its level-0 pixels pass Otsu on level 0's saturation.");
        Console.WriteLine();
        Console.WriteLine("| real slide | cover | tissue cells | otsu IoU (kept) | robust IoU (kept) |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var path in slides)
        {
            using var slide = Slide.Open(path);
            var o = TissueDetector.Detect(slide, otsu).Mask;
            var r = TissueDetector.Detect(slide, robust).Mask;
            var shares = FullResolutionCover.Shares(slide, o.Width, o.Height, (int)Math.Round(o.Downsample));
            foreach (var cover in new[] { 0.5, 0.25 })
            {
                var truth = FullResolutionCover.Truth(shares, cover);
                Console.WriteLine($"| {Path.GetFileName(path)} | {cover:0.00} | {truth.Count(v => v != 0)} | " +
                    $"{MaskAgreement.IoU(o.Data, truth):0.000} ({FullResolutionCover.Recall(o.Data, truth):0.000}) | " +
                    $"{MaskAgreement.IoU(r.Data, truth):0.000} ({FullResolutionCover.Recall(r.Data, truth):0.000}) |");
            }
        }
    }

    /// <summary>
    /// Each scene (seed 1) written as a pyramidal JPEG TIFF at 64x the scene's size and masked through OpenSlide at
    /// its level 6: what JPEG's quantisation and 4:2:0 chroma at that level cost each rule.
    /// </summary>
    private static void ThroughOpenSlide(Settings settings, string dir, TissueMaskOptions otsu, TissueMaskOptions robust)
    {
        Directory.CreateDirectory(dir);
        var side = settings.Side * 64;
        Console.WriteLine();
        Console.WriteLine($"Through OpenSlide: each scene (seed 1) as a {side}x{side} pyramidal TIFF (JPEG q85, 4:2:0), masked at level 6; IoU with the truth.");
        Console.WriteLine();
        Console.WriteLine("| artefact | otsu IoU | robust IoU |");
        Console.WriteLine("|---|---|---|");
        foreach (var artefact in Enum.GetValues<SlideArtefact>())
        {
            var scene = ArtefactScene.Draw(artefact, settings.Side, settings.Side, 1);
            var path = Path.Combine(dir, artefact + ".tif");
            ArtefactSlideWriter.Write(path, scene);
            using var slide = Slide.Open(path);
            var o = MaskAgreement.IoU(TissueDetector.Detect(slide, otsu).Mask.Data, scene.Truth);
            var r = MaskAgreement.IoU(TissueDetector.Detect(slide, robust).Mask.Data, scene.Truth);
            Console.WriteLine($"| {artefact} | {o:0.000} | {r:0.000} |");
            File.Delete(path);
        }
    }

    /// <summary>Each step of the robust rule left out in turn: mean IoU with the truth per artefact, and with Otsu on clean scenes.</summary>
    private static void Ablation(Settings settings)
    {
        var variants = new (string Name, ArtefactAwareSteps Steps)[]
        {
            ("the rule (default steps)", ArtefactAwareSteps.Default),
            ("no ink rules", new ArtefactAwareSteps(Ink: false)),
            ("no faded-ink hysteresis", new ArtefactAwareSteps(FadedInk: false)),
            ("no faint pass", new ArtefactAwareSteps(Faint: false)),
            ("no rim closing", new ArtefactAwareSteps(Rims: false)),
            ("no opening along ink", new ArtefactAwareSteps(Thin: false)),
            ("with hole filling (8 px)", new ArtefactAwareSteps(Holes: true)),
        };
        var artefacts = Enum.GetValues<SlideArtefact>();
        Console.WriteLine();
        Console.WriteLine("Robust rule with one step left out: mean IoU with the true tissue.");
        Console.WriteLine();
        Console.WriteLine("| variant | " + string.Join(" | ", artefacts) + " |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", artefacts.Length)));
        var scenes = artefacts.ToDictionary(a => a, a => Enumerable.Range(1, settings.Seeds).Select(s => ArtefactScene.Draw(a, settings.Side, settings.Side, s)).ToList());
        foreach (var (name, steps) in variants)
        {
            var cells = artefacts.Select(a => scenes[a].Average(scene =>
                MaskAgreement.IoU(ArtefactAwareRule.Apply(scene.Image, ArtefactAwareRule.Thresholds(scene.Image), steps), scene.Truth)));
            Console.WriteLine($"| {name} | " + string.Join(" | ", cells.Select(v => v.ToString("0.000"))) + " |");
        }
        if (settings.RealSlides.Count == 0) return;
        Console.WriteLine();
        Console.WriteLine("| variant | " + string.Join(" | ", settings.RealSlides.Select(Path.GetFileName)) + " (IoU with otsu) |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", settings.RealSlides.Count)));
        var images = settings.RealSlides.Select(path =>
        {
            using var slide = Slide.Open(path);
            var o = TissueDetector.Detect(slide, new TissueMaskOptions { Method = TissueMethod.Otsu });
            return (o.Image, Otsu: o.Mask.Data);
        }).ToList();
        foreach (var (name, steps) in variants)
        {
            var cells = images.Select(i => MaskAgreement.IoU(ArtefactAwareRule.Apply(i.Image, ArtefactAwareRule.Thresholds(i.Image), steps), i.Otsu));
            Console.WriteLine($"| {name} | " + string.Join(" | ", cells.Select(v => v.ToString("0.000"))) + " |");
        }
    }

    /// <summary>Side by side: the image, then Otsu's and the robust mask's outlines (with the truth's in the title image when known).</summary>
    private static void WriteFigure(string dir, string name, RgbImage image, byte[]? truth, byte[] otsu, byte[] robust)
    {
        var panels = new List<RgbImage> { image };
        if (truth is not null) panels.Add(Outline(image, truth));
        panels.Add(Outline(image, otsu));
        panels.Add(Outline(image, robust));
        if (truth is not null) panels.Add(Errors(image, truth, robust));
        var gap = 4;
        var strip = new RgbImage(panels.Count * (image.Width + gap) - gap, image.Height);
        strip.Pixels.AsSpan().Fill(255);
        for (var k = 0; k < panels.Count; k++)
        for (var y = 0; y < image.Height; y++)
            panels[k].Pixels.AsSpan(y * image.Width * 3, image.Width * 3)
                .CopyTo(strip.Pixels.AsSpan((y * strip.Width + k * (image.Width + gap)) * 3));
        PngWriter.WriteRgb(Path.Combine(dir, name + ".png"), strip);
    }

    /// <summary>The robust mask's errors over a faded image: tissue it keeps that is not (red), tissue it misses (blue).</summary>
    private static RgbImage Errors(RgbImage image, byte[] truth, byte[] mask)
    {
        var result = new RgbImage(image.Width, image.Height);
        for (var p = 0; p < truth.Length; p++)
        {
            var (r, g, b) = (truth[p] == 0 && mask[p] != 0, truth[p] != 0 && mask[p] == 0) switch
            {
                (true, _) => (230, 0, 0),
                (_, true) => (0, 0, 230),
                _ => (191 + image.Pixels[p * 3] / 4, 191 + image.Pixels[p * 3 + 1] / 4, 191 + image.Pixels[p * 3 + 2] / 4),
            };
            result.Pixels[p * 3] = (byte)r;
            result.Pixels[p * 3 + 1] = (byte)g;
            result.Pixels[p * 3 + 2] = (byte)b;
        }
        return result;
    }

    private static RgbImage Outline(RgbImage image, byte[] mask) =>
        MaskOutline.Draw(image, new SlideMask(image.Width, image.Height, 0, 1, (byte[])mask.Clone()));
}
