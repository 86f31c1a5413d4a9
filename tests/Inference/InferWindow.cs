using OrleansPathology.Client;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Tests.Inference;

/// <summary>What the <c>opath infer</c> command tests share: random weights and a window of CMU-1-Small-Region's tissue.</summary>
internal static class InferWindow
{
    public static string SlidePath => TestData.Slide("CMU-1-Small-Region.svs");

    /// <summary>Writes weights (seed 1) and a mask of the tissue in mask cells [x0, x1) x [y0, y1) into <paramref name="dir"/>.</summary>
    public static (string Weights, string Mask) Prepare(string dir, int x0, int x1, int y0, int y1)
    {
        var weights = Path.Combine(dir, "w.bin");
        Assert.Equal(ExitCodes.Success, ConsoleCapture.Run(() => OpathCommand.Create().Parse(["model", "init", "--out", weights, "--seed", "1"]).Invoke()).Exit);
        SlideMask tissue;
        using (var slide = Slide.Open(SlidePath)) tissue = TissueDetector.Detect(slide).Mask;
        var window = new SlideMask(tissue.Width, tissue.Height, tissue.Level, tissue.Downsample);
        for (var y = y0; y < y1; y++)
            for (var x = x0; x < x1; x++) window[x, y] = tissue[x, y];
        var mask = Path.Combine(dir, "window.mask");
        window.Save(mask);
        return (weights, mask);
    }
}
