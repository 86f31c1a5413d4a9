using System.Globalization;

namespace OrleansPathology.Imaging;

/// <summary>One line of a <see cref="LineChart"/>: points joined in the order given.</summary>
/// <param name="Name">The legend entry; empty for none.</param>
/// <param name="X">Abscissae, one per point.</param>
/// <param name="Y">Ordinates, one per point. A non-finite value breaks the line there.</param>
/// <param name="Colour">Line and marker colour.</param>
/// <param name="Markers">Draw a small square on each point.</param>
/// <param name="Line">Join the points (false with <paramref name="Markers"/> for a scatter).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, (byte R, byte G, byte B) Colour, bool Markers = false, bool Line = true)
{
    /// <summary>Colours that stay apart on white and for the common colour blindnesses (Okabe and Ito's palette).</summary>
    public static readonly IReadOnlyList<(byte R, byte G, byte B)> Palette =
    [
        (0, 114, 178), (213, 94, 0), (0, 158, 115), (204, 121, 167), (230, 159, 0), (86, 180, 233), (0, 0, 0),
    ];
}

/// <summary>
/// A line chart rendered to an <see cref="RgbImage"/> (and PNG): axes with ticks, tick labels and titles in
/// <see cref="BitmapFont"/>, light grid lines at the ticks, any number of series, a legend, and a linear or base-10
/// logarithmic x axis (the FROC curve's false positives per slide run over decades). For training curves, FROC and
/// anything else the pipeline wants to show without a plotting library.
/// </summary>
/// <remarks>
/// Ranges default to the data's (a flat range is widened by one unit); ticks default to 1, 2 or 5 times a power of ten
/// on a linear axis and to the powers of ten on a log axis. On a log axis, points at or below zero sit on the left edge.
/// Lines are 1 pixel wide unless <see cref="LineWidth"/> says more, clipped to the plot area.
/// </remarks>
public sealed class LineChart
{
    private static readonly (byte R, byte G, byte B) White = (255, 255, 255);
    private static readonly (byte R, byte G, byte B) Ink = (0, 0, 0);
    private static readonly (byte R, byte G, byte B) Grid = (225, 225, 225);

    private readonly List<ChartSeries> _series = [];

    public LineChart(int width = 640, int height = 480)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 160);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 120);
        Width = width;
        Height = height;
    }

    public int Width { get; }
    public int Height { get; }

    public string Title { get; init; } = "";
    public string XLabel { get; init; } = "";
    public string YLabel { get; init; } = "";

    /// <summary>Base-10 logarithmic x axis.</summary>
    public bool LogX { get; init; }

    /// <summary>The x range shown; null takes the data's.</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>The y range shown; null takes the data's.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Where x ticks go; null for automatic ones.</summary>
    public IReadOnlyList<double>? XTicks { get; init; }

    /// <summary>Where y ticks go; null for automatic ones.</summary>
    public IReadOnlyList<double>? YTicks { get; init; }

    /// <summary>Line thickness in pixels. Default 2.</summary>
    public int LineWidth { get; init; } = 2;

    public IReadOnlyList<ChartSeries> Series => _series;

    public LineChart Add(ChartSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (series.X.Count != series.Y.Count)
            throw new ArgumentException($"series '{series.Name}' has {series.X.Count} x values but {series.Y.Count} y values", nameof(series));
        _series.Add(series);
        return this;
    }

    /// <summary>Margins around the plot area, in pixels: room for the title, tick labels and axis titles.</summary>
    private const int LeftMargin = 64, RightMargin = 16, TopMargin = 30, BottomMargin = 44;

    /// <summary>The plot area in image pixels: the axes run along its left and bottom edges.</summary>
    public (int Left, int Top, int Right, int Bottom) PlotArea => (LeftMargin, TopMargin, Width - 1 - RightMargin, Height - 1 - BottomMargin);

    /// <summary>The x range drawn: <see cref="XRange"/> or the data's.</summary>
    public (double Min, double Max) EffectiveXRange => XRange ?? DataRange(s => s.X, LogX);

    /// <summary>The y range drawn: <see cref="YRange"/> or the data's.</summary>
    public (double Min, double Max) EffectiveYRange => YRange ?? DataRange(s => s.Y, log: false);

    /// <summary>
    /// The image pixel of the data point (<paramref name="x"/>, <paramref name="y"/>), unclipped: the range's minimum lies on the
    /// plot area's left (bottom) edge and its maximum on the right (top) edge.
    /// </summary>
    public (double X, double Y) ToPixel(double x, double y)
    {
        var (left, top, right, bottom) = PlotArea;
        var (x0, x1) = AxisRange(EffectiveXRange, LogX);
        var (y0, y1) = EffectiveYRange;
        var u = (Transform(x, LogX, x0) - x0) / (x1 - x0);
        var v = (y - y0) / (y1 - y0);
        return (left + u * (right - left), bottom - v * (bottom - top));
    }

    /// <summary>Draws the chart.</summary>
    public RgbImage Render()
    {
        var image = new RgbImage(Width, Height);
        image.Pixels.AsSpan().Fill(255);
        var (left, top, right, bottom) = PlotArea;
        var xRange = EffectiveXRange;
        var yRange = EffectiveYRange;
        var xTicks = (XTicks ?? (LogX ? LogTicks(xRange) : NiceTicks(xRange))).Where(t => Within(t, xRange) && (!LogX || t > 0)).ToList();
        var yTicks = (YTicks ?? NiceTicks(yRange)).Where(t => Within(t, yRange)).ToList();

        // Grid first, so that axes and data lie on top of it.
        foreach (var t in xTicks)
        {
            var px = (int)Math.Round(ToPixel(t, yRange.Min).X);
            for (var py = top; py < bottom; py++) image[px, py] = Grid;
        }
        foreach (var t in yTicks)
        {
            var py = (int)Math.Round(ToPixel(xRange.Min, t).Y);
            for (var px = left + 1; px <= right; px++) image[px, py] = Grid;
        }

        foreach (var series in _series) DrawSeries(image, series);

        for (var px = left; px <= right; px++) image[px, bottom] = Ink;
        for (var py = top; py <= bottom; py++) image[left, py] = Ink;
        foreach (var t in xTicks)
        {
            var px = (int)Math.Round(ToPixel(t, yRange.Min).X);
            for (var py = bottom; py <= bottom + 4; py++) image[px, py] = Ink;
            var label = FormatTick(t);
            BitmapFont.Draw(image, label, px - BitmapFont.MeasureWidth(label) / 2, bottom + 7, Ink);
        }
        foreach (var t in yTicks)
        {
            var py = (int)Math.Round(ToPixel(xRange.Min, t).Y);
            for (var px = left - 4; px <= left; px++) image[px, py] = Ink;
            var label = FormatTick(t);
            BitmapFont.Draw(image, label, left - 7 - BitmapFont.MeasureWidth(label), py - BitmapFont.GlyphHeight / 2, Ink);
        }

        if (Title.Length > 0) BitmapFont.Draw(image, Title, (Width - BitmapFont.MeasureWidth(Title, 2)) / 2, 8, Ink, scale: 2);
        if (XLabel.Length > 0) BitmapFont.Draw(image, XLabel, (left + right - BitmapFont.MeasureWidth(XLabel)) / 2, bottom + 24, Ink);
        if (YLabel.Length > 0) BitmapFont.Draw(image, YLabel, 8, (top + bottom + BitmapFont.MeasureWidth(YLabel)) / 2, Ink, vertical: true);
        DrawLegend(image);
        return image;
    }

    /// <summary>Renders and writes the chart as an RGB PNG.</summary>
    public void Save(string path) => PngWriter.WriteRgb(path, Render());

    private void DrawSeries(RgbImage image, ChartSeries series)
    {
        (double X, double Y)? previous = null;
        for (var i = 0; i < series.X.Count; i++)
        {
            var (x, y) = (series.X[i], series.Y[i]);
            if (!double.IsFinite(x) || !double.IsFinite(y))
            {
                previous = null;
                continue;
            }
            var point = ToPixel(x, y);
            if (series.Line) DrawLine(image, previous ?? point, point, series.Colour);
            if (series.Markers) FillSquare(image, point, LineWidth + 2, series.Colour);
            previous = point;
        }
    }

    private void DrawLegend(RgbImage image)
    {
        var named = _series.Where(s => s.Name.Length > 0).ToList();
        if (named.Count == 0) return;
        var (_, top, right, _) = PlotArea;
        var textWidth = named.Max(s => BitmapFont.MeasureWidth(s.Name));
        var boxWidth = textWidth + 30;
        var boxHeight = named.Count * 12 + 6;
        var x0 = Math.Max(0, right - boxWidth - 6);
        var y0 = top + 6;
        for (var y = y0; y <= y0 + boxHeight; y++)
        {
            for (var x = x0; x <= x0 + boxWidth; x++)
            {
                if ((uint)x >= (uint)image.Width || (uint)y >= (uint)image.Height) continue;
                var border = y == y0 || y == y0 + boxHeight || x == x0 || x == x0 + boxWidth;
                image[x, y] = border ? Ink : White;
            }
        }
        for (var i = 0; i < named.Count; i++)
        {
            var rowY = y0 + 5 + i * 12;
            if (named[i].Line)
            {
                for (var x = x0 + 5; x < x0 + 21; x++)
                {
                    image[x, rowY + 3] = named[i].Colour;
                    image[x, rowY + 4] = named[i].Colour;
                }
            }
            else
            {
                for (var y = rowY + 1; y <= rowY + 5; y++)
                    for (var x = x0 + 11; x <= x0 + 15; x++) image[x, y] = named[i].Colour;
            }
            BitmapFont.Draw(image, named[i].Name, x0 + 25, rowY, Ink);
        }
    }

    // Bresenham's line, thickened by a square brush, clipped to the plot area.
    private void DrawLine(RgbImage image, (double X, double Y) from, (double X, double Y) to, (byte R, byte G, byte B) colour)
    {
        // Clamp far-off points first so that the step count stays bounded; the plot-area clip below drops them anyway.
        static int Clamp(double v) => (int)Math.Round(Math.Clamp(v, -1e5, 1e5));
        int x0 = Clamp(from.X), y0 = Clamp(from.Y), x1 = Clamp(to.X), y1 = Clamp(to.Y);
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0);
        int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
        var error = dx + dy;
        while (true)
        {
            Brush(image, x0, y0, colour);
            if (x0 == x1 && y0 == y1) break;
            var e2 = 2 * error;
            if (e2 >= dy) { error += dy; x0 += sx; }
            if (e2 <= dx) { error += dx; y0 += sy; }
        }
    }

    private void Brush(RgbImage image, int x, int y, (byte R, byte G, byte B) colour)
    {
        var (left, top, right, bottom) = PlotArea;
        var lower = (LineWidth - 1) / 2;
        for (var dy = -lower; dy < LineWidth - lower; dy++)
        {
            for (var dx = -lower; dx < LineWidth - lower; dx++)
            {
                var (px, py) = (x + dx, y + dy);
                if (px >= left && px <= right && py >= top && py <= bottom) image[px, py] = colour;
            }
        }
    }

    private void FillSquare(RgbImage image, (double X, double Y) centre, int size, (byte R, byte G, byte B) colour)
    {
        var (left, top, right, bottom) = PlotArea;
        var cx = (int)Math.Round(centre.X);
        var cy = (int)Math.Round(centre.Y);
        for (var py = cy - size / 2; py <= cy + size / 2; py++)
        {
            for (var px = cx - size / 2; px <= cx + size / 2; px++)
            {
                if (px >= left && px <= right && py >= top && py <= bottom) image[px, py] = colour;
            }
        }
    }

    private (double Min, double Max) DataRange(Func<ChartSeries, IReadOnlyList<double>> values, bool log)
    {
        var all = _series.SelectMany(values).Where(double.IsFinite).Where(v => !log || v > 0).ToList();
        if (all.Count == 0) return log ? (0.1, 10) : (0, 1);
        var (min, max) = (all.Min(), all.Max());
        if (min == max) return log ? (min / 10, max * 10) : (min - 1, max + 1);
        return (min, max);
    }

    // The axis ends in the space the pixels are linear in: log10 of the range on a log axis.
    private static (double Min, double Max) AxisRange((double Min, double Max) range, bool log)
    {
        if (!log) return range.Max > range.Min ? range : (range.Min, range.Min + 1);
        if (!(range.Min > 0) || !(range.Max > range.Min))
            throw new ArgumentException($"a logarithmic axis needs 0 < min < max, got {range.Min}..{range.Max}");
        return (Math.Log10(range.Min), Math.Log10(range.Max));
    }

    private static double Transform(double x, bool log, double logMin) => !log ? x : x > 0 ? Math.Log10(x) : logMin;

    private static bool Within(double t, (double Min, double Max) range) =>
        t >= range.Min - 1e-9 * Math.Abs(range.Max - range.Min) && t <= range.Max + 1e-9 * Math.Abs(range.Max - range.Min);

    /// <summary>About five ticks at 1, 2 or 5 times a power of ten.</summary>
    internal static IReadOnlyList<double> NiceTicks((double Min, double Max) range)
    {
        var span = range.Max - range.Min;
        if (!(span > 0) || !double.IsFinite(span)) return [range.Min];
        var raw = span / 5;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (var t = Math.Ceiling(range.Min / step) * step; t <= range.Max + step * 1e-9; t += step)
            ticks.Add(Math.Round(t / step) * step);
        return ticks;
    }

    private static IReadOnlyList<double> LogTicks((double Min, double Max) range)
    {
        var ticks = new List<double>();
        for (var e = Math.Floor(Math.Log10(range.Min)); e <= Math.Ceiling(Math.Log10(range.Max)); e++) ticks.Add(Math.Pow(10, e));
        return ticks;
    }

    private static string FormatTick(double t) => Math.Abs(t) < 1e-12 ? "0" : t.ToString("G4", CultureInfo.InvariantCulture);
}
