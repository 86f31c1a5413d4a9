using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// Reads a slide at a <see cref="MaskResolution"/> as RGB: a pyramid level as it is, or a finer level
/// area-averaged down to a virtual one. Reads go in horizontal strips, so memory stays at the output
/// image plus one strip however large the source level is.
/// </summary>
public static class MaskImageReader
{
    /// <summary>A strip's size in RGB bytes: large enough that OpenSlide decodes whole tile rows at once.</summary>
    private const int StripBytes = 32 << 20;

    private const byte Glass = 255;

    public static RgbImage Read(Slide slide, MaskResolution resolution)
    {
        if ((long)resolution.Width * resolution.Height * 3 > Array.MaxLength)
            throw new SlideException(slide.Path, $"a {resolution.Width}x{resolution.Height} image at level {resolution.Level} is too large to make a mask from; choose a coarser level");
        return resolution.Resampled ? ReadAveraged(slide, resolution) : ReadLevel(slide, resolution.SourceLevel);
    }

    private static RgbImage ReadLevel(Slide slide, SlideLevel level)
    {
        var width = (int)level.Width;
        var height = (int)level.Height;
        var image = new RgbImage(width, height);
        var rowBytes = width * 3;
        var rowsPerStrip = RowsPerStrip(width);
        for (var y = 0; y < height; y += rowsPerStrip)
        {
            var rows = Math.Min(rowsPerStrip, height - y);
            slide.ReadRegion(0, LevelZeroY(y, level), level.Index, width, rows, image.Pixels.AsSpan(y * rowBytes, rows * rowBytes));
        }
        return image;
    }

    /// <summary>
    /// Each source pixel goes, whole, to the mask pixel that holds its centre, and each mask pixel is the
    /// rounded mean of those. At 32 or more source pixels per mask pixel along each axis, the sub-pixel
    /// overlap an exact area weighting would add changes no mask pixel worth speaking of. Mask pixels on
    /// the right and bottom edges average only the part of their area that lies on the slide, so the
    /// slide's edge is not paled by glass that is not there.
    /// </summary>
    private static RgbImage ReadAveraged(Slide slide, MaskResolution resolution)
    {
        var source = resolution.SourceLevel;
        var outWidth = resolution.Width;
        var outHeight = resolution.Height;
        var image = new RgbImage(outWidth, outHeight);
        image.Pixels.AsSpan().Fill(Glass);
        if (outWidth == 0 || outHeight == 0) return image;

        var scale = source.Downsample / resolution.Downsample;
        var sourceWidth = checked((int)source.Width);
        var sourceHeight = checked((int)source.Height);
        var column = new int[sourceWidth];
        for (var x = 0; x < sourceWidth; x++) column[x] = MaskIndex(x, scale, outWidth);

        var sums = new long[outWidth * 3];
        var counts = new int[outWidth];
        var rowsPerStrip = Math.Min(RowsPerStrip(sourceWidth), Math.Max(1, sourceHeight));
        var strip = new byte[rowsPerStrip * sourceWidth * 3];
        var currentRow = -1;
        for (var y0 = 0; y0 < sourceHeight; y0 += rowsPerStrip)
        {
            var rows = Math.Min(rowsPerStrip, sourceHeight - y0);
            slide.ReadRegion(0, LevelZeroY(y0, source), source.Index, sourceWidth, rows, strip);
            for (var r = 0; r < rows; r++)
            {
                var maskRow = MaskIndex(y0 + r, scale, outHeight);
                if (maskRow != currentRow)
                {
                    if (currentRow >= 0) Flush(image, currentRow, sums, counts);
                    currentRow = maskRow;
                }
                var offset = r * sourceWidth * 3;
                for (var x = 0; x < sourceWidth; x++)
                {
                    var c = column[x];
                    var i = offset + x * 3;
                    sums[c * 3] += strip[i];
                    sums[c * 3 + 1] += strip[i + 1];
                    sums[c * 3 + 2] += strip[i + 2];
                    counts[c]++;
                }
            }
        }
        if (currentRow >= 0) Flush(image, currentRow, sums, counts);
        return image;
    }

    private static void Flush(RgbImage image, int row, long[] sums, int[] counts)
    {
        var pixels = image.Pixels;
        var rowOffset = row * image.Width * 3;
        for (var x = 0; x < counts.Length; x++)
        {
            var n = counts[x];
            if (n == 0) continue; // nothing of the slide fell here: it stays glass
            for (var c = 0; c < 3; c++) pixels[rowOffset + x * 3 + c] = (byte)((sums[x * 3 + c] + n / 2) / n);
        }
        Array.Clear(sums);
        Array.Clear(counts);
    }

    private static int MaskIndex(int sourceIndex, double scale, int maskSize) =>
        Math.Min(maskSize - 1, (int)((sourceIndex + 0.5) * scale));

    private static int RowsPerStrip(int width) => Math.Max(1, StripBytes / Math.Max(1, width * 3));

    // OpenSlide takes level-0 coordinates even when reading another level.
    private static long LevelZeroY(int levelY, SlideLevel level) => (long)Math.Round(levelY * level.Downsample);
}
