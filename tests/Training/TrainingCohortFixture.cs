using OrleansPathology.Synthesis;
using OrleansPathology.Training;

namespace OrleansPathology.Tests.Training;

/// <summary>
/// One small synthetic cohort for the training tests, made once: 3 slides of 3000x2500 (seed 11: 2 with tumour), all in
/// train (so dataset.json validates on a held-out tumour slide), 12 tumour patches per tumour slide.
/// </summary>
public sealed class TrainingCohortFixture : IDisposable
{
    public TrainingCohortFixture()
    {
        Directory = TestData.NewTempDir("opath-train-cohort");
        Manifest = CohortSynthesizer.Run(new SynthesisOptions
        {
            OutputDirectory = Directory,
            Slides = 3,
            Width = 3000,
            Height = 2500,
            Seed = 11,
            TestFraction = 0,
            PatchesPerSlide = 12,
        });
        DatasetPath = Path.Combine(Directory, PatchDataset.FileName);
        Dataset = DatasetReader.ReadClaraJson(DatasetPath);
    }

    public string Directory { get; }

    public CohortManifest Manifest { get; }

    public string DatasetPath { get; }

    public TrainingDataset Dataset { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    /// <summary>A small slice of the dataset: the first <paramref name="training"/> and <paramref name="validation"/> entries.</summary>
    public TrainingDataset Small(int training, int validation) =>
        Dataset with { Training = Dataset.Training.Take(training).ToList(), Validation = Dataset.Validation.Take(validation).ToList() };

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
