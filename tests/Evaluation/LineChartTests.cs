using System.Buffers.Binary;
using System.IO.Compression;
using OrleansPathology.Imaging;

namespace OrleansPathology.Tests.Evaluation;

public sealed class LineChartTests
{
    private static readonly (byte, byte, byte) White = (255, 255, 255);
    private static readonly (byte, byte, byte) Black = (0, 0, 0);

    [Fact]
    public void LinearSeries_LandsOnTheExpectedPixels_AndNowhereElse()
    {
        var red = ((byte)200, (byte)0, (byte)0);
        var chart = new LineChart(400, 300) { XRange = (0, 10), YRange = (0, 10), LineWidth = 1 };
        chart.Add(new ChartSeries("", [0, 10], [0, 10], red));
        var image = chart.Render();
        var (left, top, right, bottom) = chart.PlotArea;

        // The range's ends sit on the plot area's corners.
        Assert.Equal((left, (double)bottom), chart.ToPixel(0, 0));
        Assert.Equal((right, (double)top), chart.ToPixel(10, 10));
        // Every column of the plot area holds the diagonal at the row the mapping gives (Bresenham is within a pixel).
        for (var x = left + 2; x < right - 2; x += 7)
        {
            var expectedY = bottom - (x - left) * (double)(bottom - top) / (right - left);
            var rows = Enumerable.Range(top, bottom - top + 1).Where(y => image[x, y] == red).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, y => Assert.InRange(y, expectedY - 1.01, expectedY + 1.01));
        }
        // Off the line, inside the plot area and away from the auto grid, it stays white or grid grey: never the series colour.
        Assert.NotEqual(red, image[right - 5, bottom - 5]);
        Assert.Equal(White, image[right - 3, bottom - 3]);
    }

    [Fact]
    public void MarkersOnly_ColourTheirPointsAndNothingBetween()
    {
        var green = ((byte)0, (byte)150, (byte)0);
        var chart = new LineChart(400, 300) { XRange = (0, 10), YRange = (0, 10) };
        chart.Add(new ChartSeries("", [2, 8], [5, 5], green, Markers: true, Line: false));
        var image = chart.Render();

        var (x2, y) = chart.ToPixel(2, 5);
        var (x8, _) = chart.ToPixel(8, 5);
        Assert.Equal(green, image[(int)Math.Round(x2), (int)Math.Round(y)]);
        Assert.Equal(green, image[(int)Math.Round(x8), (int)Math.Round(y)]);
        Assert.NotEqual(green, image[(int)Math.Round((x2 + x8) / 2), (int)Math.Round(y)]);
    }

    [Fact]
    public void AxesAndTicks_AreDrawnInBlack()
    {
        var chart = new LineChart(400, 300) { XRange = (0, 10), YRange = (0, 1), XTicks = [0, 5, 10], YTicks = [0, 0.5, 1] };
        chart.Add(new ChartSeries("loss", [0, 5, 10], [1, 0.5, 0.2], ChartSeries.Palette[0]));
        var image = chart.Render();
        var (left, top, right, bottom) = chart.PlotArea;

        Assert.Equal(Black, image[left, (top + bottom) / 2]);   // y axis
        Assert.Equal(Black, image[(left + right) / 2, bottom]); // x axis
        var tick5 = (int)Math.Round(chart.ToPixel(5, 0).X);
        Assert.Equal(Black, image[tick5, bottom + 3]);          // the tick mark below the axis
        // The tick label "5" is drawn under its tick: some black pixel in the label band, centred on the tick.
        Assert.Contains(Enumerable.Range(bottom + 7, BitmapFont.GlyphHeight), y => image[tick5, y] == Black || image[tick5 - 1, y] == Black || image[tick5 + 1, y] == Black);
        // Outside the plot area and the labels the canvas is white.
        Assert.Equal(White, image[right + 5, top + 100]);
    }

    [Fact]
    public void LogAxis_PutsEachDoublingAnEqualStepApart()
    {
        var chart = new LineChart(600, 400) { LogX = true, XRange = (0.125, 8), YRange = (0, 1) };
        var steps = new[] { 0.25, 0.5, 1, 2, 4 }.Select(x => chart.ToPixel(x, 0).X - chart.ToPixel(x / 2, 0).X).ToList();
        Assert.All(steps, s => Assert.Equal(steps[0], s, 6));
        Assert.Equal(chart.PlotArea.Left, chart.ToPixel(0.125, 0).X, 6);
        Assert.Equal(chart.PlotArea.Right, chart.ToPixel(8, 0).X, 6);
        // A point at zero cannot be placed on a log axis: it sits on the left edge.
        Assert.Equal(chart.PlotArea.Left, chart.ToPixel(0, 0).X, 6);
    }

    [Fact]
    public void Font_DrawsGlyphPixelsExactly()
    {
        var image = new RgbImage(20, 10);
        image.Pixels.AsSpan().Fill(255);
        BitmapFont.Draw(image, "1", 2, 1, (0, 0, 0));
        // '1' row 0 is 00100 and row 6 is 01110.
        Assert.Equal(Black, image[2 + 2, 1]);
        Assert.Equal(White, image[2 + 1, 1]);
        Assert.Equal([White, Black, Black, Black, White], Enumerable.Range(2, 5).Select(x => image[x, 7]).ToArray());
        Assert.True(BitmapFont.HasGlyph('e')); // lower case through its capital
        Assert.False(BitmapFont.HasGlyph('@'));
    }

    [Fact]
    public void Save_WritesAPngOfTheRenderedPixels()
    {
        var chart = new LineChart(320, 200) { Title = "Loss", XLabel = "epoch", YLabel = "loss" };
        chart.Add(new ChartSeries("train", [1, 2, 3, 4], [0.9, 0.5, 0.4, 0.35], ChartSeries.Palette[0], Markers: true));
        chart.Add(new ChartSeries("validation", [1, 2, 3, 4], [1.0, 0.7, double.NaN, 0.6], ChartSeries.Palette[1]));
        var path = Path.Combine(TestData.NewTempDir(), "chart.png");

        chart.Save(path);

        var (width, height, pixels) = ReadPng(path);
        Assert.Equal((320, 200), (width, height));
        Assert.Equal(chart.Render().Pixels, pixels);
    }

    /// <summary>Decodes the PNGs <see cref="PngWriter"/> writes (8-bit RGB, filter 0 on every row).</summary>
    internal static (int Width, int Height, byte[] Rgb) ReadPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        for (var offset = 8; offset < bytes.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(bytes, offset + 4, 4);
            var data = bytes.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(2, data[9]); // truecolour
            }
            if (type == "IDAT") idat.Write(data);
            offset += 12 + length;
        }
        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var scanlines = raw.ToArray();
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, scanlines[y * (width * 3 + 1)]);
            Array.Copy(scanlines, y * (width * 3 + 1) + 1, rgb, y * width * 3, width * 3);
        }
        return (width, height, rgb);
    }
}
