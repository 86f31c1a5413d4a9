using OrleansPathology.Imaging;

namespace OrleansPathology.Evaluation;

/// <summary>
/// Scores lesion detections against ground truth by the CAMELYON16 protocol (the challenge's <c>Evaluation_FROC.py</c>):
/// per slide, an <see cref="EvaluationMask"/> from the truth; each detection <c>prob,X,Y</c> looks up
/// <c>mask[Y/32, X/32]</c>; on background it is a false positive; in an ITC region it is ignored; in a counted region the
/// region keeps its highest-probability detection (the first of equal ones, as the script replaces only on a strictly
/// higher one). On a slide without truth every detection is a false positive. The pooled <see cref="FrocCurve"/> gives
/// the score. Slides are scored one at a time, so only one slide's masks are in memory.
/// </summary>
public static class FrocEvaluator
{
    /// <summary>Scores <paramref name="predictions"/> (one entry per slide) against <paramref name="truth"/>.</summary>
    /// <param name="progress">Told each slide id as it is scored.</param>
    public static FrocResult Evaluate(IEnumerable<SlidePredictions> predictions, TruthSet truth, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(truth);
        var outcomes = new List<SlideOutcome>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var slide in predictions)
        {
            if (!seen.Add(slide.SlideId)) throw new EvaluationException(slide.Source, $"slide '{slide.SlideId}' has predictions twice");
            progress?.Report(slide.SlideId);
            var slideTruth = truth.Find(slide.SlideId);
            if (slideTruth is null)
            {
                outcomes.Add(ScoreSlide(slide, null));
                continue;
            }
            var mask = LoadMask(slideTruth);
            outcomes.Add(ScoreSlide(slide, EvaluationMask.Create(mask, slideTruth.MicronsPerPixel), slideTruth.Source));
        }
        if (outcomes.Count == 0) throw new EvaluationException(truth.Source, "no slides to evaluate: the predictions are empty");

        var curve = FrocCurve.Compute(outcomes);
        var auc = SlideAuc.Compute(outcomes.Select(o => ((double)o.MaxProbability, o.HasTumour)).ToList());
        var missing = truth.Slides.Select(t => t.SlideId).Where(id => !seen.Contains(id)).Order(StringComparer.Ordinal).ToList();
        return new FrocResult(curve.Score, curve.OperatingPoints(), curve, auc, outcomes, missing, truth.Source) { ResolutionRule = truth.ResolutionRule };
    }

    /// <summary>
    /// One slide's verdicts (the script's <c>compute_FP_TP_Probs</c>). <paramref name="mask"/> null: a slide without
    /// tumour, every detection a false positive.
    /// </summary>
    public static SlideOutcome ScoreSlide(SlidePredictions predictions, EvaluationMask? mask, string? truthSource = null)
    {
        foreach (var lesion in predictions.Lesions)
        {
            if (!float.IsFinite(lesion.Probability))
                throw new EvaluationException(predictions.Source, $"a detection at ({lesion.X}, {lesion.Y}) has probability {lesion.Probability}; probabilities must be numbers");
        }
        if (mask is null)
        {
            var all = predictions.Lesions.Select(l => new DetectionOutcome(l.Probability, l.X, l.Y, DetectionKind.FalsePositive, -1)).ToList();
            return new SlideOutcome(predictions.SlideId, truthSource, null, [], all);
        }

        var kinds = new DetectionKind[predictions.Lesions.Count];
        var labels = new int[predictions.Lesions.Count];
        // Per label: the kept hit's index and probability; the script starts every region at probability 0.
        var best = new int[mask.Regions.Count + 1];
        var bestProbability = new float[mask.Regions.Count + 1];
        Array.Fill(best, -1);
        for (var i = 0; i < predictions.Lesions.Count; i++)
        {
            var lesion = predictions.Lesions[i];
            var label = mask.LabelAt(lesion.X, lesion.Y);
            labels[i] = label;
            if (label < 0) kinds[i] = DetectionKind.OffSlide;
            else if (label == 0) kinds[i] = DetectionKind.FalsePositive;
            else if (mask.Regions[label - 1].IsolatedTumourCells) kinds[i] = DetectionKind.IsolatedTumourCells;
            else
            {
                kinds[i] = DetectionKind.RepeatHit;
                if (lesion.Probability > bestProbability[label])
                {
                    bestProbability[label] = lesion.Probability;
                    best[label] = i;
                }
            }
        }
        for (var label = 1; label < best.Length; label++)
        {
            if (best[label] >= 0) kinds[best[label]] = DetectionKind.TruePositive;
        }

        var detections = predictions.Lesions.Select((l, i) => new DetectionOutcome(l.Probability, l.X, l.Y, kinds[i], labels[i])).ToList();
        var regions = mask.Regions.Select(r => new RegionOutcome(r.Label, r.AreaPixels, r.MajorAxisMicrons, r.IsolatedTumourCells, r.CentreX, r.CentreY,
            best[r.Label] >= 0 ? detections[best[r.Label]] : null)).ToList();
        return new SlideOutcome(predictions.SlideId, truthSource, mask.MicronsPerPixel, regions, detections);
    }

    private static SlideMask LoadMask(SlideTruth truth)
    {
        try
        {
            return truth.LoadMask();
        }
        catch (FileNotFoundException ex)
        {
            throw new EvaluationException(truth.Source, $"truth of slide '{truth.SlideId}' not found ({ex.Message})", ex);
        }
    }
}
