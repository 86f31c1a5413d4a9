using OrleansPathology.Slides;
using OrleansPathology.Synthesis;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Tissue;

/// <summary>
/// The robust rule against drawn slides whose true tissue is known, one artefact each, and against the Otsu
/// (NCRF/MONAI) rule. Scenes are 192x192 mask pixels (a 12288x12288 slide at 64x); two seeds each.
/// </summary>
public sealed class ArtefactSceneTests
{
    private static readonly TissueMaskOptions Otsu = new() { Method = TissueMethod.Otsu };
    private static readonly TissueMaskOptions Robust = new() { Method = TissueMethod.Robust };

    [Theory]
    [InlineData(SlideArtefact.Clean)]
    [InlineData(SlideArtefact.PaleTissue)]
    [InlineData(SlideArtefact.BluePen)]
    [InlineData(SlideArtefact.GreenPen)]
    [InlineData(SlideArtefact.BlackPen)]
    [InlineData(SlideArtefact.RedPen)]
    [InlineData(SlideArtefact.AirBubbles)]
    [InlineData(SlideArtefact.CoverSlipEdge)]
    [InlineData(SlideArtefact.Folds)]
    [InlineData(SlideArtefact.Debris)]
    [InlineData(SlideArtefact.All)]
    public void The_robust_mask_finds_the_true_tissue_with_IoU_at_least_095(SlideArtefact artefact)
    {
        foreach (var seed in new[] { 1, 2 })
        {
            var scene = ArtefactScene.Draw(artefact, 192, 192, seed);
            var iou = MaskAgreement.IoU(TissueDetector.Detect(scene.Image, Robust), scene.Truth);
            Assert.True(iou >= 0.95, $"{artefact}, seed {seed}: IoU {iou:0.000} with the truth");
        }
    }

    [Theory]
    // Measured for the Otsu rule at seed 1: pale 0.63, blue 0.86, green 0.85, red 0.88, folds 0.90, all 0.49.
    [InlineData(SlideArtefact.PaleTissue, 0.70)]
    [InlineData(SlideArtefact.BluePen, 0.92)]
    [InlineData(SlideArtefact.GreenPen, 0.92)]
    [InlineData(SlideArtefact.RedPen, 0.92)]
    [InlineData(SlideArtefact.Folds, 0.93)]
    [InlineData(SlideArtefact.All, 0.60)]
    public void The_Otsu_rule_loses_tissue_or_keeps_artefacts_that_the_robust_rule_does_not(SlideArtefact artefact, double otsuBelow)
    {
        var scene = ArtefactScene.Draw(artefact, 192, 192, 1);
        var otsu = MaskAgreement.IoU(TissueDetector.Detect(scene.Image, Otsu), scene.Truth);
        var robust = MaskAgreement.IoU(TissueDetector.Detect(scene.Image, Robust), scene.Truth);
        Assert.True(otsu < otsuBelow, $"{artefact}: Otsu IoU {otsu:0.000}");
        Assert.True(robust > otsu + 0.05, $"{artefact}: robust {robust:0.000} against Otsu {otsu:0.000}");
    }

    [Fact]
    public void On_clean_scenes_the_robust_mask_agrees_with_the_Otsu_mask()
    {
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var scene = ArtefactScene.Draw(SlideArtefact.Clean, 192, 192, seed);
            var iou = MaskAgreement.IoU(TissueDetector.Detect(scene.Image, Robust), TissueDetector.Detect(scene.Image, Otsu));
            Assert.True(iou >= 0.98, $"seed {seed}: IoU {iou:0.000} with the Otsu mask");
        }
    }

    [Fact]
    public void A_pyramidal_TIFF_of_every_artefact_is_masked_through_OpenSlide_by_the_default_robust_rule()
    {
        // 192x192 mask pixels at 64x: a 12288x12288 JPEG slide with a level at downsample 64, read as it is.
        var scene = ArtefactScene.Draw(SlideArtefact.All, 192, 192, 1);
        var path = Path.Combine(TestData.NewTempDir(), "artefacts.tif");
        ArtefactSlideWriter.Write(path, scene);

        using var slide = Slide.Open(path);
        var robust = TissueDetector.Detect(slide);
        Assert.Equal(TissueMethod.Robust, robust.Method);
        Assert.Equal((192, 192, 6), (robust.Mask.Width, robust.Mask.Height, robust.Mask.Level));
        var otsu = TissueDetector.Detect(slide, Otsu);

        var robustIoU = MaskAgreement.IoU(robust.Mask.Data, scene.Truth);
        var otsuIoU = MaskAgreement.IoU(otsu.Mask.Data, scene.Truth);
        // Measured 0.927 against 0.977 for the same image unencoded: JPEG's 4:2:0 chroma at level 6 bleeds the pen
        // strokes' colour into the faint section they cross. Otsu: 0.483.
        Assert.True(robustIoU >= 0.90, $"robust IoU {robustIoU:0.000} (Otsu {otsuIoU:0.000})");
        Assert.True(otsuIoU < 0.6, $"Otsu IoU {otsuIoU:0.000}");
    }

    [Fact]
    public void The_cluster_slide_planning_computes_and_keeps_the_robust_mask_by_default()
    {
        var dir = TestData.NewTempDir();
        var scene = ArtefactScene.Draw(SlideArtefact.All, 64, 64, 3);
        var path = Path.Combine(dir, "artefacts.tif");
        ArtefactSlideWriter.Write(path, scene);
        var job = new OrleansPathology.Inference.SlideJob(path, null, new OrleansPathology.Inference.InferenceOptions(), Path.Combine(dir, "out"), "artefacts");

        OrleansPathology.Inference.SlidePlanning.Prepare(job, new DataRoots([]));

        using var slide = Slide.Open(path);
        var kept = OrleansPathology.Imaging.SlideMask.Load(OrleansPathology.Inference.SlidePlanning.ComputedMaskPath(job, path));
        Assert.Equal(TissueDetector.Detect(slide, Robust).Mask.Data, kept.Data);
        Assert.NotEqual(TissueDetector.Detect(slide, Otsu).Mask.Data, kept.Data);
    }

    [Fact]
    public void Scenes_are_deterministic_and_their_truth_is_a_real_share_of_the_slide()
    {
        var a = ArtefactScene.Draw(SlideArtefact.All, 64, 48, 9);
        var b = ArtefactScene.Draw(SlideArtefact.All, 64, 48, 9);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.Equal(a.Truth, b.Truth);
        Assert.InRange(a.Truth.Count(v => v != 0) / (double)a.Truth.Length, 0.1, 0.6);
        Assert.NotEqual(a.Image.Pixels, ArtefactScene.Draw(SlideArtefact.All, 64, 48, 10).Image.Pixels);
    }
}
