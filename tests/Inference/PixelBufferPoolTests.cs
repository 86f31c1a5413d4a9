using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;

namespace OrleansPathology.Tests.Inference;

/// <summary>Batch buffers reused: which buffer a read gets, how many stay, and that a longer buffer changes no probability.</summary>
[Collection(SeededModelsCollection.Name)]
public sealed class PixelBufferPoolTests
{
    [Fact]
    public void ARead_GetsTheSmallestFreeBufferThatFits_AndThePoolKeepsTheLargest()
    {
        var pool = new PixelBufferPool(capacity: 2);
        var (small, large) = (pool.Rent(3 << 20), pool.Rent(9 << 20));
        Assert.Equal(3 << 20, small.Length);
        Assert.Equal(10 << 20, pool.Rent((9 << 20) + 1).Length); // whole MiB
        pool.Return(large);
        pool.Return(small);

        Assert.Same(small, pool.Rent(2 << 20));
        Assert.Same(large, pool.Rent(4 << 20));
        Assert.NotSame(large, pool.Rent(4 << 20)); // taken: a new one

        pool.Return(small);
        pool.Return(large);
        pool.Return(new byte[5 << 20]); // past capacity: the smallest goes
        Assert.Equal((9L + 5) << 20, pool.FreeBytes);
        var error = Assert.Throws<InvalidOperationException>(() => pool.Return(large));
        Assert.Contains("returned already", error.Message);
        pool.Clear();
        Assert.Equal(0, pool.FreeBytes);
    }

    [Fact]
    public void PixelsInALongerBuffer_GiveTheProbabilitiesOfAnExactOne_DenseAndPatch()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var rect = new CellRect(8, 10, 4, 3);
        var cells = new List<Cell>();
        for (var y = rect.Y; y < rect.Y + rect.Height; y++)
            for (var x = rect.X; x < rect.X + rect.Width; x++) cells.Add(new Cell(x, y));
        TorchSharp.torch.random.manual_seed(5);
        using var computer = new BatchComputer(new FcnResNet18(), ComputeDevice.Parse("cpu"));
        var pool = new PixelBufferPool(capacity: 1);

        foreach (var batch in new[]
        {
            new TileBatch(slide.Path, 0, InferenceMode.Dense, 64, 224, cells, rect),
            new TileBatch(slide.Path, 1, InferenceMode.Patch, 64, 224, cells),
        })
        {
            var exact = BatchReader.Read(slide, batch);
            var longer = new byte[exact.Bytes + 12345];
            Random.Shared.NextBytes(longer); // what a larger region left behind
            pool.Return(longer);
            var pooled = BatchReader.Read(slide, batch, pool);

            Assert.Same(longer, pooled.Rgb);
            Assert.Equal(exact.Rgb.Length, exact.Bytes);
            Assert.Equal(exact.Rgb, pooled.Rgb.AsSpan(0, (int)pooled.Bytes).ToArray());
            Assert.Equal(computer.Compute(exact).Probabilities, computer.Compute(pooled).Probabilities);
        }
    }
}
