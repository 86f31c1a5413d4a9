using OrleansPathology.Slides;

namespace OrleansPathology.Client.Commands;

/// <summary>The facts <c>opath slide info</c> reports, shaped for both text and JSON output.</summary>
internal sealed record SlideSummary(
    string Path,
    string Vendor,
    long Width,
    long Height,
    double? MppX,
    double? MppY,
    string? MppSource,
    IReadOnlyList<SlideLevel> Levels,
    IReadOnlyList<AssociatedImageInfo> AssociatedImages)
{
    public static SlideSummary Of(Slide slide) => new(
        slide.Path,
        slide.Vendor,
        slide.Dimensions.Width,
        slide.Dimensions.Height,
        slide.MicronsPerPixel?.X,
        slide.MicronsPerPixel?.Y,
        slide.MicronsPerPixel?.Source.ToString(),
        slide.Levels,
        slide.AssociatedImages);

    public void WriteText(TextWriter output)
    {
        output.WriteLine($"{Path}");
        output.WriteLine($"  vendor      {Vendor}");
        output.WriteLine($"  dimensions  {Width} x {Height}");
        output.WriteLine(MppX is null
            ? "  mpp         unknown"
            : $"  mpp         {MppX:0.####} x {MppY:0.####} um/px (from {MppSource})");
        output.WriteLine($"  levels      {Levels.Count}");
        foreach (var level in Levels)
            output.WriteLine($"    {level.Index}: {level.Width} x {level.Height}  downsample {level.Downsample:0.###}");
        output.WriteLine(AssociatedImages.Count == 0
            ? "  associated  none"
            : "  associated  " + string.Join(", ", AssociatedImages.Select(a => $"{a.Name} ({a.Width}x{a.Height})")));
    }
}
