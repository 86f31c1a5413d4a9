using OrleansPathology.Synthesis;

namespace OrleansPathology.Tests.Synthesis;

/// <summary>A cohort is a function of its seed and options: the same bytes every time, whatever the thread count.</summary>
public sealed class DeterminismTests : IDisposable
{
    private readonly string _root = TestData.NewTempDir("opath-synth-determinism");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_same_seed_gives_identical_bytes_in_every_file_with_one_thread_or_two_and_another_seed_differs()
    {
        var first = Make("a", seed: 5, threads: 2);
        var second = Make("b", seed: 5, threads: 1);
        var other = Make("c", seed: 6, threads: 2);

        var files = Files(first);
        Assert.Equal(files, Files(second));
        Assert.Contains("slides/synth_000.tif", files);
        Assert.Contains("dataset.json", files);
        Assert.Contains(files, f => f.StartsWith("annotations/", StringComparison.Ordinal));
        foreach (var file in files)
            Assert.True(File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, file))), $"{file} differs between two runs of seed 5");

        foreach (var file in new[] { "slides/synth_000.tif", "slides/synth_001.tif", "masks/synth_000.tissue.mask", "dataset.json" })
        {
            var otherFile = Path.Combine(other, file);
            Assert.False(File.ReadAllBytes(Path.Combine(first, file)).AsSpan().SequenceEqual(File.ReadAllBytes(otherFile)), $"{file} is the same for seeds 5 and 6");
        }
    }

    private string Make(string name, ulong seed, int threads)
    {
        var dir = Path.Combine(_root, name);
        CohortSynthesizer.Run(new SynthesisOptions
        {
            OutputDirectory = dir, Slides = 2, Width = 2200, Height = 2000, Seed = seed, TumourFraction = 0.5, TestFraction = 0,
            PatchesPerSlide = 8, Parallelism = threads,
        });
        return dir;
    }

    private static List<string> Files(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();
}
