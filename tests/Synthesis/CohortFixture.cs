using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>One small synthetic cohort, made once and shared by the tests that only read it.</summary>
public sealed class CohortFixture : IDisposable
{
    /// <summary>Seed 11 with 3 slides at the default tumour fraction: 2 tumour slides and 1 normal one.</summary>
    public const ulong Seed = 11;

    public CohortFixture()
    {
        Directory = TestData.NewTempDir("opath-synth");
        Options = new SynthesisOptions { OutputDirectory = Directory, Slides = 3, Width = 3000, Height = 2500, Seed = Seed, PatchesPerSlide = 24 };
        Manifest = CohortSynthesizer.Run(Options);
    }

    public string Directory { get; }
    public SynthesisOptions Options { get; }
    public CohortManifest Manifest { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
