using OrleansPathology.Imaging;
using OrleansPathology.Inference;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Inference;

/// <summary>The pictures drawn with ScottPlot: the heatmap figure over a real slide and the training curves with their data.</summary>
public sealed class FigureTests
{
    [Fact]
    public void TheHeatmapFigure_IsReadableSize_AndDrawsTheTruthOutlineWhenGiven()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var map = ProbabilityMap.For(new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64));
        for (var y = 10; y < 20; y++)
        for (var x = 10; x < 20; x++) map[x, y] = 0.9f;
        var lesions = new LesionDetector().Detect(map);
        var thumbnail = MaskImageReader.Read(slide, MaskResolution.Choose(slide.Levels, 2));
        var truth = new SlideMask(70, 93, 5, 32);
        for (var y = 20; y < 40; y++)
        for (var x = 20; x < 40; x++) truth[x, y] = 1;

        var plain = HeatmapFigure.Render(thumbnail, map, lesions);
        var withTruth = HeatmapFigure.Render(thumbnail, map, lesions, truth);

        Assert.Equal(1000, plain.Width);
        Assert.InRange(plain.Height, 1000, 1600);
        static int Lime(RgbImage image) => Enumerable.Range(0, image.Width * image.Height).Count(i => image.Pixels[i * 3] < 60 && image.Pixels[i * 3 + 1] > 200 && image.Pixels[i * 3 + 2] < 60);
        Assert.True(Lime(withTruth) > Lime(plain) + 100, $"outline pixels: {Lime(withTruth)} against {Lime(plain)}");

        // The hot cells (level-0 640..1280 across and down) are painted where the lesion is ringed, not mirrored top to bottom:
        // the figure's upper half holds the red, the lower half none.
        static int Red(RgbImage image, int fromY, int toY) =>
            Enumerable.Range(fromY * image.Width, (toY - fromY) * image.Width).Count(i => image.Pixels[i * 3] > 150 && image.Pixels[i * 3 + 1] < 80 && image.Pixels[i * 3 + 2] < 80);
        Assert.True(Red(plain, 0, plain.Height / 2) > 1000, $"red in the upper half: {Red(plain, 0, plain.Height / 2)}");
        Assert.True(Red(plain, plain.Height / 2, plain.Height) < 100, $"red in the lower half: {Red(plain, plain.Height / 2, plain.Height)}");
    }

    [Fact]
    public void AFigureRenderedStraightToPixels_EqualsScottPlotsOwnPng()
    {
        // Figures.Render reads Skia's pixels instead of encoding a PNG and decoding it: the same picture, byte for byte.
        var plot = new ScottPlot.Plot();
        plot.Add.Scatter(new double[] { 0, 1, 2, 3 }, new double[] { 0.1, 0.9, 0.4, 0.7 });
        plot.Add.Heatmap(new double[,] { { 0.1, 0.5 }, { 0.9, 0.3 } }).Position = new ScottPlot.CoordinateRect(0, 1, 0, 1);
        Figures.Style(plot, "a title", "x", "y");

        var direct = Figures.Render(plot, 640, 480);
        var viaPng = PngReader.Decode(plot.GetImageBytes(640, 480, ScottPlot.ImageFormat.Png));

        Assert.Equal((640, 480), (direct.Width, direct.Height));
        Assert.Equal(viaPng.Pixels, direct.Pixels);
        Assert.True(direct.Pixels.Distinct().Count() > 20, "the figure drew something");
    }

    [Fact]
    public void TheHeatmapFigure_OfASlideWithNoCellWorthPainting_IsTheThumbnailAlone()
    {
        // A confident model on a negative slide: every cell scored, none at ClearBelow or above. ScottPlot took the
        // colour range from the data before it was told the fixed one, and all-clear data has none: a chaos run's slide
        // failed with "writing outputs: min must be a real number".
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var map = ProbabilityMap.For(new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64));
        for (var y = 0; y < map.Height; y++)
        for (var x = 0; x < map.Width; x++) map[x, y] = 0.02f;
        var thumbnail = MaskImageReader.Read(slide, MaskResolution.Choose(slide.Levels, 2));

        var figure = HeatmapFigure.Render(thumbnail, map, []);
        // Nothing painted: the same picture as a map with no cell computed at all (which failed the same way).
        var uncomputed = HeatmapFigure.Render(thumbnail, ProbabilityMap.For(new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, 64)), []);

        Assert.Equal(1000, figure.Width);
        Assert.Equal(uncomputed.Pixels, figure.Pixels);
    }

    [Fact]
    public void TheTrainingPlot_WritesThePicture_AndItsDataWithTheSmoothedLoss()
    {
        var path = Path.Combine(TestData.NewTempDir(), "model.png");
        double[] losses = [0.9, 0.7, 0.8, 0.6, 0.5, 0.7, 0.4, 0.3];

        TrainingPlot.Save(path, losses, stepsPerEpoch: 8, [(0, 0.6, 0.55), (1, 0.8, null)]);

        var image = PngReader.Read(path);
        Assert.Equal((900, 840), (image.Width, image.Height));
        var steps = File.ReadAllLines(path + ".steps.csv");
        Assert.Equal("step,epoch,loss,smoothed_loss", steps[0]);
        Assert.Equal("2,0.25,0.7,0.8", steps[2]);  // window 2 (a quarter of 8 steps): (0.9 + 0.7) / 2
        Assert.Equal("8,1,0.3,0.35", steps[8]);
        Assert.Equal(["epoch,train_accuracy,validation_accuracy", "1,0.6,0.55", "2,0.8,"], File.ReadAllLines(path + ".epochs.csv"));
    }
}
