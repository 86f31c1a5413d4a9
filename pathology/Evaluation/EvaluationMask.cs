using OrleansPathology.Imaging;

namespace OrleansPathology.Evaluation;

/// <summary>A tumour region of an <see cref="EvaluationMask"/>: its label, size and shape, and whether it is isolated tumour cells.</summary>
/// <param name="Label">1-based region label.</param>
/// <param name="AreaPixels">Mask pixels in the grown, hole-filled region.</param>
/// <param name="MajorAxisPixels">skimage's major axis length in mask pixels.</param>
/// <param name="MajorAxisMicrons">The same in micrometres.</param>
/// <param name="IsolatedTumourCells">Below the ITC limit: neither a hit nor a false positive when detected.</param>
/// <param name="CentreX">Level-0 x of the region's centroid (may lie outside a non-convex region).</param>
/// <param name="CentreY">Level-0 y of the centroid.</param>
/// <param name="InsideX">Level-0 x of the centre of a mask pixel that certainly lies in the region.</param>
/// <param name="InsideY">Level-0 y of that pixel's centre.</param>
public sealed record TumourRegion(int Label, long AreaPixels, double MajorAxisPixels, double MajorAxisMicrons, bool IsolatedTumourCells,
    double CentreX, double CentreY, double InsideX, double InsideY);

/// <summary>
/// A slide's CAMELYON16 evaluation mask, as the challenge's <c>computeEvaluationMask</c> and <c>computeITCList</c> make it
/// from a level-5 ground-truth mask: pixels nearer than 75 um / 2 to tumour (Euclidean, <see cref="DistanceTransform"/>)
/// join it, holes are filled (<see cref="HoleFilling"/>), 8-connected regions are labelled (<see cref="RegionLabeller"/>),
/// and regions with a major axis under 275 um are isolated tumour cells. The micrometre constants are converted to mask
/// pixels with the slide's own resolution, so a slide scanned at other than 0.243 um/px is grown and judged by the same
/// physical sizes. The protocol's masks are at level 5; a mask at another level is evaluated at its own downsample
/// (detections map to <c>mask[Y/d, X/d]</c> and the constants convert with d), which approximates it.
/// </summary>
public sealed class EvaluationMask
{
    private readonly int[] _labels;

    private EvaluationMask(int width, int height, double downsample, double micronsPerPixel, int[] labels, IReadOnlyList<TumourRegion> regions)
    {
        Width = width;
        Height = height;
        Downsample = downsample;
        MicronsPerPixel = micronsPerPixel;
        _labels = labels;
        Regions = regions;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Level-0 pixels per mask pixel (32 at the protocol's level 5).</summary>
    public double Downsample { get; }

    /// <summary>The level-0 resolution the micrometre constants were converted with.</summary>
    public double MicronsPerPixel { get; }

    /// <summary>Every region, in label order (label i at index i - 1).</summary>
    public IReadOnlyList<TumourRegion> Regions { get; }

    /// <summary>Regions that count: those that are not isolated tumour cells.</summary>
    public int CountedRegions => Regions.Count(r => !r.IsolatedTumourCells);

    /// <summary>The label of mask pixel (x, y), 0 for background.</summary>
    public int this[int x, int y] => _labels[y * Width + x];

    /// <summary>
    /// The label a detection at level-0 (<paramref name="x"/>, <paramref name="y"/>) hits: <c>mask[int(Y / d), int(X / d)]</c>
    /// as the script indexes it, 0 for background, and -1 when the point lies off the mask (negative, beyond its edge, or
    /// not a number). The script would index past the array there, or wrap a negative index to the far side; a point off
    /// the slide cannot hit tumour, so the evaluator counts it as a false positive.
    /// </summary>
    public int LabelAt(double x, double y)
    {
        if (!(x >= 0) || !(y >= 0)) return -1;
        var column = Math.Floor(x / Downsample);
        var row = Math.Floor(y / Downsample);
        if (column >= Width || row >= Height) return -1;
        return _labels[(int)row * Width + (int)column];
    }

    /// <summary>
    /// Builds the evaluation mask from a ground-truth mask (non-zero = tumour) of a slide whose level-0 resolution is
    /// <paramref name="micronsPerPixel"/> (the mean of x and y where they differ).
    /// </summary>
    public static EvaluationMask Create(SlideMask truth, double micronsPerPixel = CamelyonProtocol.ReferenceMicronsPerPixel)
    {
        ArgumentNullException.ThrowIfNull(truth);
        if (!(micronsPerPixel > 0) || !double.IsFinite(micronsPerPixel))
            throw new ArgumentOutOfRangeException(nameof(micronsPerPixel), micronsPerPixel, "microns per pixel must be a positive number");
        var (width, height) = (truth.Width, truth.Height);
        var grown = new byte[truth.Data.Length];
        if (truth.CountForeground() > 0)
        {
            // scipy: distance_transform_edt(255 - mask) < threshold, i.e. distance to the nearest tumour pixel; tumour itself is 0.
            var threshold = CamelyonProtocol.GrowThresholdPixels(micronsPerPixel, truth.Downsample);
            var squared = DistanceTransform.SquaredDistances(truth.Data, width, height);
            var limit = threshold * threshold;
            for (var i = 0; i < grown.Length; i++) grown[i] = squared[i] < limit ? (byte)1 : (byte)0;
            HoleFilling.Fill(grown, width, height);
        }

        var (labels, regions) = RegionLabeller.Label(grown, width, height);
        var itcLimit = CamelyonProtocol.IsolatedTumourCellsPixels(micronsPerPixel, truth.Downsample);
        var micronsPerMaskPixel = micronsPerPixel * truth.Downsample;
        var tumours = regions.Select(r => new TumourRegion(
            r.Label,
            r.Area,
            r.MajorAxisLength,
            r.MajorAxisLength * micronsPerMaskPixel,
            r.MajorAxisLength < itcLimit,
            (r.CentroidX + 0.5) * truth.Downsample,
            (r.CentroidY + 0.5) * truth.Downsample,
            (r.FirstX + 0.5) * truth.Downsample,
            (r.FirstY + 0.5) * truth.Downsample)).ToList();
        return new EvaluationMask(width, height, truth.Downsample, micronsPerPixel, labels, tumours);
    }
}
