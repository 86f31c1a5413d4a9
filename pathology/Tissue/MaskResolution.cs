using OrleansPathology.Slides;

namespace OrleansPathology.Tissue;

/// <summary>
/// Where a tissue mask's pixels come from: <see cref="SourceLevel"/> is the pyramid level read, and the
/// mask has <see cref="Width"/> x <see cref="Height"/> pixels at <see cref="Downsample"/>, recorded as
/// <see cref="Level"/>. When <see cref="Resampled"/> is false these are the source level's own; when true
/// the source is area-averaged down to a virtual level that the pyramid lacks.
/// </summary>
public sealed record MaskResolution(SlideLevel SourceLevel, int Level, double Downsample, int Width, int Height)
{
    /// <summary>
    /// NCRF and MONAI make tissue masks at level 6 of the CAMELYON16 pyramids, whose levels halve, so
    /// one mask pixel spans 64x64 level-0 pixels (about 15.6 um at the CAMELYON 0.243 um/px).
    /// </summary>
    public const double NcrfDownsample = 64;

    /// <summary>
    /// How far a level's downsample may stray from the target and still be used as is. OpenSlide derives
    /// downsamples from integer level sizes, so a nominal 64 reads 63.99 or 64.07; 5% takes those in and
    /// leaves out the neighbours a pyramid step away (32 and 128, or 16 on a 4x Aperio pyramid).
    /// </summary>
    public const double LevelTolerance = 0.05;

    public bool Resampled => SourceLevel.Index != Level || SourceLevel.Downsample != Downsample;

    /// <summary>
    /// The level nearest <paramref name="targetDownsample"/> (a power of two) if one lies within
    /// <see cref="LevelTolerance"/>; otherwise the coarsest level not above the target, to be averaged down to
    /// a virtual level of exactly the target, numbered log2(target) and ceil(level-0 size / target) in size.
    /// </summary>
    public static MaskResolution Choose(IReadOnlyList<SlideLevel> levels, double targetDownsample = NcrfDownsample)
    {
        var virtualLevel = VirtualLevelOf(targetDownsample);
        if (levels.Count == 0) throw new ArgumentException("a slide has at least one level", nameof(levels));

        var nearest = levels.MinBy(l => Math.Abs(Math.Log(l.Downsample / targetDownsample)))!;
        if (Math.Abs(nearest.Downsample / targetDownsample - 1) <= LevelTolerance)
            return Of(nearest);

        // The coarsest level at or under the target reads the fewest pixels that still all contribute to
        // the average; OpenSlide's get_thumbnail picks its source level the same way.
        var source = levels.Where(l => l.Downsample <= targetDownsample).MaxBy(l => l.Downsample) ?? levels[0];
        var level0 = levels[0];
        return new MaskResolution(
            source,
            virtualLevel,
            targetDownsample,
            checked((int)Math.Ceiling(level0.Width / targetDownsample)),
            checked((int)Math.Ceiling(level0.Height / targetDownsample)));
    }

    /// <summary>A pyramid level taken as it is.</summary>
    public static MaskResolution Of(SlideLevel level) =>
        new(level, level.Index, level.Downsample, checked((int)level.Width), checked((int)level.Height));

    private static int VirtualLevelOf(double downsample)
    {
        var log2 = Math.Log2(downsample);
        if (!(downsample >= 1) || log2 != Math.Round(log2))
            throw new ArgumentOutOfRangeException(nameof(downsample), downsample, "a mask's target downsample must be a power of two (1, 2, 4, ... 64) so it names a level");
        return (int)log2;
    }
}
