namespace OrleansPathology.Synthesis;

/// <summary>A train slide's drawn patch centres, before they are balanced and split.</summary>
internal sealed record SlidePatches(string Image, bool HasTumour, IReadOnlyList<PatchCentre> Tumour, IReadOnlyList<PatchCentre> Normal);

/// <summary>
/// Builds dataset.json from train slides only (test slides never contribute a patch). Validation is split by
/// slide when the train slides hold at least two tumour slides: about a fifth of the tumour slides and of the normal
/// slides (at least one tumour slide) go to validation, so validation measures unseen slides. With fewer, the
/// split is by patch: every fifth patch of each label. Within each part, labels are balanced: every tumour
/// patch drawn is used, and as many normal patches are taken round-robin across that part's slides (tumour
/// slides' normal areas included); if too few normal patches exist, tumour patches are cut to match.
/// </summary>
internal static class DatasetAssembler
{
    public const int ValidationEvery = 5;

    public static PatchDataset Assemble(IReadOnlyList<SlidePatches> train)
    {
        var tumourSlides = train.Where(s => s.HasTumour).ToList();
        if (tumourSlides.Count >= 2)
        {
            var validationTumour = Math.Max(1, tumourSlides.Count / ValidationEvery);
            var normalSlides = train.Where(s => !s.HasTumour).ToList();
            var validationNormal = normalSlides.Count / ValidationEvery;
            // The last slides of each stratum (slide order is already a seeded draw) go to validation.
            var validation = tumourSlides.TakeLast(validationTumour).Concat(normalSlides.TakeLast(validationNormal)).ToHashSet();
            return new PatchDataset(
                Balance(train.Where(s => !validation.Contains(s)).ToList()),
                Balance(train.Where(validation.Contains).ToList()));
        }

        var all = Balance(train);
        var training = new List<PatchEntry>();
        var held = new List<PatchEntry>();
        foreach (var group in all.GroupBy(e => e.Label[0]))
        {
            var i = 0;
            foreach (var entry in group) (i++ % ValidationEvery == ValidationEvery - 1 ? held : training).Add(entry);
        }
        return new PatchDataset(training, held);
    }

    private static List<PatchEntry> Balance(IReadOnlyList<SlidePatches> slides)
    {
        var tumour = slides.SelectMany(s => s.Tumour.Select(p => Entry(s, p))).ToList();
        var normal = new List<PatchEntry>();
        var cursor = new int[slides.Count];
        for (var progress = true; normal.Count < tumour.Count && progress;)
        {
            progress = false;
            for (var i = 0; i < slides.Count && normal.Count < tumour.Count; i++)
            {
                if (cursor[i] >= slides[i].Normal.Count) continue;
                normal.Add(Entry(slides[i], slides[i].Normal[cursor[i]++]));
                progress = true;
            }
        }
        if (tumour.Count > normal.Count) tumour = tumour.Take(normal.Count).ToList();
        // Interleave tumour and normal so that a reader taking the first N entries still gets both labels.
        var entries = new List<PatchEntry>(tumour.Count * 2);
        for (var i = 0; i < tumour.Count; i++)
        {
            entries.Add(tumour[i]);
            entries.Add(normal[i]);
        }
        return entries;
    }

    private static PatchEntry Entry(SlidePatches slide, PatchCentre p) => new(slide.Image, [p.X, p.Y], [p.Label]);
}
