using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using OrleansPathology.Annotations;
using OrleansPathology.Imaging;
using OrleansPathology.Slides;

namespace OrleansPathology.Client.Commands;

/// <summary>
/// <c>opath annotations SLIDE-OR-DIMS ANNOTATIONS --level N --out FILE</c>: rasterises a slide's ground truth
/// (ASAP XML or NCRF JSON) into a tumour mask at one level, plus a PNG preview.
/// </summary>
internal static partial class AnnotationsCommand
{
    public static Command Create()
    {
        var slide = new Argument<string>("slide-or-dims")
        {
            Description = "The slide file (level-0 size, downsample and resolution from OpenSlide), or its level-0 size as WxH (downsample 2^level).",
        };
        var annotations = new Argument<string>("annotations") { Description = "The annotation file: ASAP XML (.xml) or NCRF JSON (.json)." };
        var level = new Option<int>("--level") { Description = "The pyramid level of the mask; default 6 (downsample 64), as the CAMELYON16 evaluation uses.", DefaultValueFactory = _ => 6 };
        var output = new Option<string>("--out") { Description = "The mask file to write: .npy (numpy uint8) or the OrleansPathology mask format with a numpy copy at FILE.npy; a PNG preview goes to FILE.png.", Required = true };

        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of text." };
        var command = new Command("annotations", "Rasterise tumour annotations into a ground-truth mask (1 = tumour, exclusions cut out).")
        {
            slide, annotations, level, output, json,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var path = parse.GetValue(output)!;
            // Checked before any work: a folder given as the mask file is a mistake to say at once, in words.
            if (Directory.Exists(path)) throw new ArgumentException($"--out {path}: is a folder; give the mask file to write, e.g. {Path.Combine(path, "mask.npy")}");
            var target = Geometry(parse.GetValue(slide)!, parse.GetValue(level));
            var outline = AnnotationFiles.Read(parse.GetValue(annotations)!);
            var mask = AnnotationRasterizer.Rasterize(outline, target.Width, target.Height, target.Level, target.Downsample);

            try
            {
                // Always a numpy copy as well (uint8 rows x columns), for MONAI, NCRF and numpy users.
                if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) mask.SaveNpy(path);
                else
                {
                    mask.Save(path);
                    mask.SaveNpy(path + ".npy");
                }
                WritePreview(path + ".png", mask);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new IOException($"--out {path}: cannot be written (permission denied: {ex.Message})", ex);
            }
            if (parse.GetValue(json))
                Console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    mask = path,
                    tumourOutlines = outline.Tumour.Count,
                    exclusionOutlines = outline.Exclusion.Count,
                    width = mask.Width,
                    height = mask.Height,
                    level = mask.Level,
                    downsample = mask.Downsample,
                    tumourPixels = mask.CountForeground(),
                }, CliJson.Options));
            else Report(Console.Out, outline, mask, target, path);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Level-0 size, the level and its downsample, and the resolution when a slide gives one.</summary>
    private sealed record MaskGeometry(long Width, long Height, int Level, double Downsample, MicronsPerPixel? Mpp);

    [GeneratedRegex(@"^(\d+)[xX](\d+)$")]
    private static partial Regex Dimensions();

    private static MaskGeometry Geometry(string slideOrDims, int level)
    {
        if (level is < 0 or > 30) throw new ArgumentException($"--level {level} is out of range (0 to 30)");
        // A slide's own level when it has one (OpenSlide's downsamples are not always exact powers of 2);
        // beyond its pyramid the virtual level 2^N, as for WxH.
        var powerOfTwo = Math.Pow(2, level);
        var match = Dimensions().Match(slideOrDims);
        if (match.Success && !File.Exists(slideOrDims))
        {
            if (!long.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var w) || !long.TryParse(match.Groups[2].Value, CultureInfo.InvariantCulture, out var h) || w == 0 || h == 0)
                throw new ArgumentException($"'{slideOrDims}' is not a usable level-0 size (WxH, both positive)");
            return new MaskGeometry(w, h, level, powerOfTwo, null);
        }

        using var opened = Slide.Open(slideOrDims);
        var (width, height) = opened.Dimensions;
        var downsample = level < opened.Levels.Count ? opened.Levels[level].Downsample : powerOfTwo;
        return new MaskGeometry(width, height, level, downsample, opened.MicronsPerPixel);
    }

    private static void WritePreview(string path, SlideMask mask)
    {
        // Labels 0/1 would look black in a viewer; stretch tumour to white.
        var pixels = new byte[mask.Data.Length];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = mask.Data[i] == 0 ? (byte)0 : (byte)255;
        PngWriter.WriteGray(path, mask.Width, mask.Height, pixels);
    }

    private static void Report(TextWriter output, SlideAnnotations outline, SlideMask mask, MaskGeometry target, string path)
    {
        var tumour = mask.CountForeground();
        output.WriteLine(FormattableString.Invariant($"annotations: {outline.Tumour.Count} tumour, {outline.Exclusion.Count} exclusion outlines"));
        output.WriteLine(FormattableString.Invariant($"mask: {mask.Width}x{mask.Height} at level {mask.Level} (downsample {mask.Downsample:0.###}) -> {path}, preview {path}.png"));
        output.WriteLine(FormattableString.Invariant($"tumour: {tumour} mask pixels ({100.0 * mask.ForegroundFraction:0.###}% of the mask)"));
        if (target.Mpp is { } mpp)
        {
            var squareMm = tumour * (mpp.X * mask.Downsample) * (mpp.Y * mask.Downsample) / 1e6;
            output.WriteLine(FormattableString.Invariant($"tumour area: {squareMm:0.####} mm^2 (at {mpp.X:0.####} x {mpp.Y:0.####} um per level-0 pixel)"));
        }
    }
}
