using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Evaluation;

/// <summary>
/// Reads a CAMELYON16 ground-truth mask TIFF (<c>Tumor_001_Mask.tif</c>: a level-0 pyramidal TIFF, 255 = tumour) as the
/// challenge's <c>Evaluation_FROC.py</c> does: through OpenSlide, at level 5, tumour where the red channel is exactly 255.
/// The script's <c>distance_transform_edt(255 - R)</c> is zero only at R = 255, so the lower values a downsampled pyramid
/// holds along tumour edges count as outside; so they do here. Any pyramidal TIFF OpenSlide opens will do. Without a
/// level 5 at downsample 32, the level OpenSlide picks for downsample 32 is sampled at level-5 pixel centres, which approximates it.
/// </summary>
public static class OfficialMaskTiff
{
    /// <summary>The red value the script's EDT(255 - R) takes as tumour.</summary>
    public const byte TumourRed = 255;

    /// <summary>File name endings that mark a mask TIFF; the rest of the name is the slide id (<c>Tumor_001_Mask.tif</c> is Tumor_001).</summary>
    public static readonly string[] Suffixes = ["_Mask.tif", "_Mask.tiff", ".mask.tif", ".mask.tiff", ".tif", ".tiff"];

    public static SlideMask Read(string path)
    {
        using var slide = Slide.Open(path);
        var level = CamelyonProtocol.EvaluationLevel;
        var downsample = CamelyonProtocol.EvaluationDownsample;
        var (width0, height0) = slide.Dimensions;
        if (level < slide.Levels.Count && Math.Abs(slide.Levels[level].Downsample / downsample - 1) < 0.02)
        {
            // The script maps detections with pow(2, level), whatever OpenSlide's rounded downsample of the level says.
            var at = slide.Levels[level];
            var mask = new SlideMask(checked((int)at.Width), checked((int)at.Height), level, downsample);
            var row = new byte[mask.Width * 3];
            for (var y = 0; y < mask.Height; y++)
            {
                slide.ReadRegion(0, (long)Math.Round(y * at.Downsample), level, mask.Width, 1, row);
                for (var x = 0; x < mask.Width; x++) mask[x, y] = row[x * 3] == TumourRed ? (byte)1 : (byte)0;
            }
            return mask;
        }
        return Sampled(slide, level, downsample, width0, height0);
    }

    private static SlideMask Sampled(Slide slide, int level, double downsample, long width0, long height0)
    {
        var source = slide.BestLevelForDownsample(downsample);
        var sourceDownsample = slide.Levels[source].Downsample;
        var mask = new SlideMask(checked((int)(width0 / (long)downsample)), checked((int)(height0 / (long)downsample)), level, downsample);
        var sourceWidth = checked((int)slide.Levels[source].Width);
        var row = new byte[sourceWidth * 3];
        for (var y = 0; y < mask.Height; y++)
        {
            var sy = (long)((y + 0.5) * downsample);
            slide.ReadRegion(0, Math.Min(height0 - 1, sy), source, sourceWidth, 1, row);
            for (var x = 0; x < mask.Width; x++)
            {
                var sx = Math.Min(sourceWidth - 1, (int)((x + 0.5) * downsample / sourceDownsample));
                mask[x, y] = row[sx * 3] == TumourRed ? (byte)1 : (byte)0;
            }
        }
        return mask;
    }
}
