using System.Diagnostics;
using OrleansPathology.Evaluation;
using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Evaluation;

/// <summary>
/// The official CAMELYON16 ground truth: a level-0 pyramidal mask TIFF (made here with libvips as the challenge's were,
/// 255 = tumour, averaged pyramid levels) read at level 5, checked against the challenge script's own steps run in
/// Debian's python3 (openslide read_region, scipy EDT(255 - R), binary_fill_holes, skimage label and regionprops).
/// </summary>
public sealed class OfficialMaskTiffTests
{
    // Evaluation_FROC.py's computeEvaluationMask and computeITCList at L0_RESOLUTION 0.243, level 5.
    private const string OfficialScript = """
        import sys, numpy as np, openslide
        from scipy import ndimage as nd
        from skimage import measure
        slide = openslide.open_slide(sys.argv[1]); level = 5
        pixels = np.array(slide.read_region((0, 0), level, slide.level_dimensions[level]))
        distance = nd.distance_transform_edt(255 - pixels[:, :, 0])
        binary = distance < 75 / (0.243 * pow(2, level) * 2)
        labels = measure.label(nd.binary_fill_holes(binary), connectivity=2)
        props = measure.regionprops(labels)
        itc = [p.label for p in props if p.major_axis_length < 275 / (0.243 * pow(2, level))]
        edges = int(((pixels[:, :, 0] > 0) & (pixels[:, :, 0] < 255)).sum())
        print(slide.level_dimensions[level][0], slide.level_dimensions[level][1], labels.max(), edges)
        print(" ".join(str(p.area) for p in props))
        print(" ".join(str(l) for l in itc))
        """;

    private static string MakeMaskTiff(string dir)
    {
        // A 2048x2048 quarter-scale drawing (a large lesion, a smaller one with a hole, and a speck that is ITC), scaled x4
        // with nearest neighbour to an 8192x8192 level 0, so lesion edges fall inside level-5 pixels.
        var small = Path.Combine(dir, "small.pgm");
        Python.Run("""
            import sys, numpy as np
            y, x = np.mgrid[0:2048, 0:2048]
            m = ((x - 700) ** 2 / 300.0 ** 2 + (y - 900) ** 2 / 180.0 ** 2 < 1)
            ring = ((x - 1500) ** 2 + (y - 500) ** 2 < 150 ** 2) & ((x - 1500) ** 2 + (y - 500) ** 2 > 40 ** 2)
            speck = ((x - 1600) ** 2 + (y - 1700) ** 2 < 9 ** 2)
            img = ((m | ring | speck) * 255).astype(np.uint8)
            with open(sys.argv[1], "wb") as f:
                f.write(b"P5 2048 2048 255\n"); f.write(img.tobytes())
            """, small);
        var tiff = Path.Combine(dir, "Tumor_900_Mask.tif");
        Vips("resize", small, Path.Combine(dir, "big.v"), "4", "--kernel", "nearest");
        Vips("tiffsave", Path.Combine(dir, "big.v"), tiff, "--tile", "--pyramid", "--compression", "deflate", "--tile-width", "256", "--tile-height", "256");
        File.Delete(Path.Combine(dir, "big.v"));
        return tiff;
    }

    [Fact]
    public void TheMaskReadAtLevelFive_WithRedExactly255AsTumour_GivesTheOfficialScriptsRegions()
    {
        var dir = TestData.NewTempDir("opath-official-mask");
        var tiff = MakeMaskTiff(dir);
        var official = Python.Run(OfficialScript, tiff).Split('\n');
        var head = official[0].Split(' ').Select(int.Parse).ToArray();
        var areas = official[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        var itc = official[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

        var mask = OfficialMaskTiff.Read(tiff);
        var evaluation = EvaluationMask.Create(mask, CamelyonProtocol.ReferenceMicronsPerPixel);

        Assert.True(head[3] > 0, "the pyramid should hold partial values at lesion edges, which the official rule counts as outside");
        Assert.Equal((head[0], head[1], 5, 32.0), (mask.Width, mask.Height, mask.Level, mask.Downsample));
        Assert.Equal(head[2], evaluation.Regions.Count);
        Assert.Equal(3, evaluation.Regions.Count);
        Assert.Equal(areas, evaluation.Regions.Select(r => r.AreaPixels));
        Assert.Equal(itc, evaluation.Regions.Where(r => r.IsolatedTumourCells).Select(r => r.Label));
        Assert.Single(itc);
    }

    [Fact]
    public void ATruthFolderOfMaskTiffs_IsEvaluated_UnderTheSlideIdBeforeMask_AtTheOfficialResolution()
    {
        var dir = TestData.NewTempDir("opath-official-truth");
        MakeMaskTiff(dir);
        File.Delete(Path.Combine(dir, "small.pgm"));

        var truth = TruthSet.Load(dir);
        var slide = Assert.Single(truth.Slides);

        Assert.Equal("Tumor_900", slide.SlideId);
        Assert.Equal(0.243, slide.MicronsPerPixel);
        Assert.Contains("official", truth.ResolutionRule);
        // A detection at the large lesion's centre (level 0: 4 * (700, 900)) hits it; one on empty glass is a false positive.
        var predictions = new[] { new SlidePredictions("Tumor_900", [new Lesion(0.9f, 2800, 3600), new Lesion(0.8f, 400, 7800)], "Tumor_900.csv") };
        var result = FrocEvaluator.Evaluate(predictions, truth);
        Assert.Equal((1, 1), (result.HitRegions, result.FalsePositives));
    }

    private static void Vips(params string[] args)
    {
        var start = new ProcessStartInfo("vips") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"vips {string.Join(' ', args)}: {stderr}");
    }
}
