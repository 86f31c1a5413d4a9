using OrleansPathology.Slides;

namespace OrleansPathology.Training;

/// <summary>
/// Checks, before a run starts, that every entry can be read: its slide opens and the whole patch window around
/// its centre lies inside level 0. Each slide is opened once however many entries use it. The first failure is a
/// <see cref="DatasetException"/> naming the entry (list and index, image, location); when more entries fail the
/// same way, the message says how many, so one fix-and-retry is enough.
/// </summary>
public static class DatasetValidator
{
    /// <summary>Validates both lists of <paramref name="dataset"/>; returns each slide's level-0 size.</summary>
    public static IReadOnlyDictionary<string, (long Width, long Height)> Validate(TrainingDataset dataset, int patchSize = Model.FcnResNet18.PatchSize)
    {
        var sizes = new Dictionary<string, (long Width, long Height)>(StringComparer.Ordinal);
        Validate(dataset.Training, dataset.Source, patchSize, sizes);
        Validate(dataset.Validation, dataset.Source, patchSize, sizes);
        return sizes;
    }

    /// <summary>Validates one list; <paramref name="sizes"/> caches slide sizes across calls.</summary>
    public static void Validate(IReadOnlyList<TrainingSample> samples, string source, int patchSize, IDictionary<string, (long Width, long Height)> sizes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(patchSize, 1);
        foreach (var group in samples.GroupBy(s => s.Image, StringComparer.Ordinal))
        {
            if (sizes.ContainsKey(group.Key)) continue;
            var first = group.First();
            var users = group.Count();
            var others = users > 1 ? $" ({users - 1} other entr{(users == 2 ? "y uses" : "ies use")} it too)" : "";
            if (!File.Exists(group.Key))
                throw new DatasetException(source, $"{(PatchImage.IsPatchImage(group.Key) ? "patch image" : "slide file")} {group.Key} not found{others}", first);
            if (PatchImage.IsPatchImage(group.Key))
            {
                try
                {
                    var image = Imaging.PngReader.Read(group.Key);
                    sizes[group.Key] = (image.Width, image.Height);
                }
                catch (InvalidDataException ex)
                {
                    throw new DatasetException(source, $"patch image cannot be read: {ex.Message}{others}", first, ex);
                }
                continue;
            }
            try
            {
                using var slide = Slide.Open(group.Key);
                sizes[group.Key] = slide.Dimensions;
            }
            catch (SlideException ex)
            {
                throw new DatasetException(source, $"slide cannot be opened: {ex.Reason}{others}", first, ex);
            }
        }

        var half = patchSize / 2;
        // A patch image smaller than the window is padded with white (PatchImage), so only slides must hold the window.
        var outside = samples.Where(s => !PatchImage.IsPatchImage(s.Image) && !Inside(s, sizes[s.Image], patchSize)).ToList();
        if (outside.Count == 0) return;
        var bad = outside[0];
        var (width, height) = sizes[bad.Image];
        var more = outside.Count > 1 ? $"; {outside.Count - 1} more entr{(outside.Count == 2 ? "y is" : "ies are")} outside their slides too" : "";
        throw new DatasetException(source,
            $"the {patchSize}x{patchSize} window [{bad.X - half}, {bad.X - half + patchSize}) x [{bad.Y - half}, {bad.Y - half + patchSize}) is not inside the {width}x{height} slide{more}",
            bad);
    }

    /// <summary>Whether the patch centred at the sample lies wholly inside a slide of <paramref name="size"/>.</summary>
    public static bool Inside(TrainingSample sample, (long Width, long Height) size, int patchSize)
    {
        var half = patchSize / 2;
        return sample.X - half >= 0 && sample.Y - half >= 0 && sample.X - half + patchSize <= size.Width && sample.Y - half + patchSize <= size.Height;
    }
}
