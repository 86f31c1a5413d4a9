using OrleansPathology.Inference;

namespace OrleansPathology.Tests.Inference;

public sealed class ProbabilityMapTests
{
    [Fact]
    public void SaveLoad_RoundTripsValuesAndUncomputedCells()
    {
        var map = new ProbabilityMap(3, 2, 64);
        map.Apply(new BatchResult(0, [new Cell(0, 0), new Cell(2, 1)], [0.25f, 0f]));
        var path = Path.Combine(TestData.NewTempDir(), "m.probmap");

        map.Save(path);
        var loaded = ProbabilityMap.Load(path);

        Assert.Equal((3, 2, 64), (loaded.Width, loaded.Height, loaded.Stride));
        Assert.Equal(0.25f, loaded[0, 0]);
        Assert.Equal(0f, loaded[2, 1]);
        Assert.False(loaded.IsComputed(1, 0));
        Assert.Equal(2, loaded.ComputedCount());
    }

    [Fact]
    public void ATruncatedMap_IsAClearError()
    {
        var path = Path.Combine(TestData.NewTempDir(), "m.probmap");
        new ProbabilityMap(30, 20, 64).Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..100]);

        var error = Assert.Throws<InvalidDataException>(() => ProbabilityMap.Load(path));
        Assert.Contains(path, error.Message);
    }
}
