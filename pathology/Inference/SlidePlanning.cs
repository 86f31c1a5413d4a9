using OrleansPathology.Imaging;
using OrleansPathology.Slides;
using OrleansPathology.Tissue;

namespace OrleansPathology.Inference;

/// <summary>What a slide needs scored: its file, an optional tissue mask, the grid, and where outputs and the computed mask go.</summary>
public sealed record SlideJob(
    string SlidePath,
    string? MaskPath,
    InferenceOptions Options,
    string OutputDirectory,
    string SlideId,
    TissueMethod Tissue = TissueMethod.Robust);

/// <summary>A slide opened, checked and cut into batches: everything a coordinator needs, no pixels.</summary>
public sealed record SlidePlan(string SlidePath, long Width, long Height, CellGrid Grid, IReadOnlyList<TileBatch> Batches)
{
    public long CellCount => Batches.Sum(b => (long)b.Cells.Count);
}

/// <summary>
/// Prepares a slide for distributed scoring: resolves its path, its mask and its output folder against the data roots, opens it (a
/// corrupt file fails here, naming the file), loads or computes its tissue mask (computed masks are kept
/// in the output folder, so a restart plans the same batches without recomputing), and plans batches.
/// Deterministic: the same job always gives the same batches with the same indices.
/// </summary>
public static class SlidePlanning
{
    public static SlidePlan Prepare(SlideJob job, DataRoots roots)
    {
        var path = roots.Resolve(job.SlidePath);
        // Checked before the slide is opened: nothing is read, and no mask written, outside the roots.
        job = job with
        {
            MaskPath = job.MaskPath is { } given ? roots.Check(given, DataPathKind.Mask) : null,
            OutputDirectory = roots.Check(job.OutputDirectory, DataPathKind.Output),
        };
        using var slide = Slide.Open(path);
        var mask = LoadOrComputeMask(job, slide);
        var batches = SlideInference.Plan(slide, mask, job.Options);
        var grid = new CellGrid(slide.Dimensions.Width, slide.Dimensions.Height, job.Options.Stride);
        return new SlidePlan(path, slide.Dimensions.Width, slide.Dimensions.Height, grid, batches);
    }

    /// <summary>
    /// Where a computed mask is kept: named for the slide file's identity (size and time written), the stride and the
    /// rule, so a slide id that now names another file, or a cohort re-run with another rule, never reuses a stale mask.
    /// </summary>
    public static string ComputedMaskPath(SlideJob job, string resolvedSlidePath)
    {
        var file = new FileInfo(resolvedSlidePath);
        var identity = $"{file.Length}:{file.LastWriteTimeUtc.Ticks}:{job.Options.Stride}:{TissueMethods.Name(job.Tissue)}";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)))[..12];
        return Path.Combine(job.OutputDirectory, $"{job.SlideId}.tissue-{TissueMethods.Name(job.Tissue)}-{hash}.mask");
    }

    private static SlideMask LoadOrComputeMask(SlideJob job, Slide slide)
    {
        if (job.MaskPath is { } given) return SlideMask.LoadFor(given, slide.Dimensions.Width, slide.Dimensions.Height);
        var cached = ComputedMaskPath(job, slide.Path);
        if (File.Exists(cached)) return SlideMask.Load(cached);
        var mask = TissueDetector.Detect(slide, new TissueMaskOptions { Method = job.Tissue }).Mask;
        Directory.CreateDirectory(job.OutputDirectory);
        var temporary = cached + ".partial";
        mask.Save(temporary);
        File.Move(temporary, cached, overwrite: true);
        mask.SaveNpy(Path.ChangeExtension(cached, ".npy"));
        return mask;
    }
}
