namespace OrleansPathology.Training;

/// <summary>
/// One training patch: the slide it is read from (a full path), the level-0 pixel at the patch CENTRE (Clara's
/// and NCRF's convention: the corner is the centre less half the patch), and its label (1 tumour, 0 normal).
/// <see cref="Origin"/> says where the entry came from (<c>training[12]</c>, <c>tumor_valid.txt:40</c>), so every
/// error about it can name it.
/// </summary>
public sealed record TrainingSample(string Image, long X, long Y, int Label, string Origin)
{
    /// <summary>Label of a patch whose centre is tumour.</summary>
    public const int Tumour = 1;

    /// <summary>Label of a patch without tumour.</summary>
    public const int Normal = 0;

    /// <summary>"origin (image I, location [x, y])": how errors name this entry.</summary>
    public string Describe() => $"{Origin} (image {Image}, location [{X}, {Y}])";
}

/// <summary>The two lists a training run reads: patches to learn from and patches to measure accuracy on.</summary>
/// <param name="Source">The file (or files) the lists were read from, for the model card.</param>
public sealed record TrainingDataset(IReadOnlyList<TrainingSample> Training, IReadOnlyList<TrainingSample> Validation, string Source)
{
    /// <summary>Tumour and normal counts of a list.</summary>
    public static (int Tumour, int Normal) Count(IReadOnlyList<TrainingSample> samples)
    {
        var tumour = samples.Count(s => s.Label == TrainingSample.Tumour);
        return (tumour, samples.Count - tumour);
    }
}
