namespace OrleansPathology.Evaluation;

/// <summary>
/// The constants of the CAMELYON16 lesion-level evaluation, as the challenge's <c>Evaluation_FROC.py</c> (Babak Ehteshami
/// Bejnordi, 2016) and MONAI's <c>monai.metrics.froc</c> / <c>monai.apps.pathology.metrics.LesionFROC</c> use them.
/// </summary>
public static class CamelyonProtocol
{
    /// <summary>The evaluation mask is made at level 5 (<c>EVALUATION_MASK_LEVEL = 5</c>).</summary>
    public const int EvaluationLevel = 5;

    /// <summary>Level-0 pixels per evaluation-mask pixel: 2^<see cref="EvaluationLevel"/>; detections map to <c>mask[Y/32, X/32]</c>.</summary>
    public const double EvaluationDownsample = 32;

    /// <summary>The level-0 resolution the constants were written for (<c>L0_RESOLUTION = 0.243</c> um per pixel).</summary>
    public const double ReferenceMicronsPerPixel = 0.243;

    /// <summary>
    /// Annotations are grown by 75 um, "the equivalent size of 5 tumor cells": a pixel joins a region when its Euclidean
    /// distance to tumour is below <c>75 / (resolution * 2^level * 2)</c> mask pixels. Note the factor 2: the script
    /// compares against half of 75 um expressed in mask pixels (4.82 px at level 5 and 0.243 um/px), and so do we.
    /// </summary>
    public const double GrowMicrons = 75;

    /// <summary>
    /// A region whose major axis (skimage regionprops' <c>major_axis_length</c>, in mask pixels) is below
    /// <c>275 / (resolution * 2^level)</c> (35.36 px at level 5 and 0.243 um/px) is isolated tumour cells: the 200 um
    /// ITC limit plus the 75 um growth. Such regions count neither as hits nor as false positives.
    /// </summary>
    public const double IsolatedTumourCellsMicrons = 275;

    /// <summary>The average false positives per slide at which sensitivity is read; the FROC score is the mean of these six.</summary>
    public static IReadOnlyList<double> FalsePositiveRates { get; } = [0.25, 0.5, 1, 2, 4, 8];

    /// <summary>The growth threshold in mask pixels at <paramref name="micronsPerPixel"/> and <paramref name="downsample"/>.</summary>
    public static double GrowThresholdPixels(double micronsPerPixel, double downsample) => GrowMicrons / (micronsPerPixel * downsample * 2);

    /// <summary>The ITC major-axis limit in mask pixels at <paramref name="micronsPerPixel"/> and <paramref name="downsample"/>.</summary>
    public static double IsolatedTumourCellsPixels(double micronsPerPixel, double downsample) => IsolatedTumourCellsMicrons / (micronsPerPixel * downsample);
}
