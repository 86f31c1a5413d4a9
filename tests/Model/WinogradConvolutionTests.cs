using OrleansPathology.Inference;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OrleansPathology.Tests.Model;

/// <summary>NNPACK's Winograd convolutions against libtorch's direct ones, on real pixels.</summary>
[Collection(SeededModelsCollection.Name)]
public sealed class WinogradConvolutionTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void NnpackRunsOnThisMachine()
    {
        // CI's machines (AMD EPYC, Intel Xeon) have AVX2 and FMA; a silent fallback to direct would hide a lost speed-up.
        Assert.Null(Nnpack.WhyUnavailable);
        Assert.Equal(ConvolutionAlgorithm.Winograd, BatchComputer.DefaultDenseConvolutionsFor(ComputeDevice.Parse("cpu")));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void WinogradConvolution_EqualsTheDirectOne_ToItsRounding(int verticalPadding, bool relu)
    {
        random.manual_seed(3);
        using var _ = no_grad();
        // Real tissue, through a 3 -> 64 convolution so that the Winograd one sees 64 channels of real structure; odd
        // sizes (not whole 6x6 tiles) and two images.
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var region = slide.ReadRegion(310, 190, 0, 157, 2 * 131);
        using var pixels = PatchTensor.FromRgb(region.Pixels, 2, 131, 157, CPU, ScalarType.Float32);
        using var features = F.conv2d(pixels, randn(64, 3, 3, 3) * 0.3, padding: [1, 1]).relu_();
        using var weight = randn(96, 64, 3, 3) * (1 / Math.Sqrt(9 * 64));
        using var bias = randn(96) * 0.1;

        using var direct = F.conv2d(features, weight, bias, padding: [verticalPadding, 1]);
        if (relu) direct.relu_();
        using var workspace = new NnpackWorkspace(threads: 2);
        using var convolution = new WinogradConvolution(weight, bias, relu, workspace.ThreadPool);
        using var winograd = convolution.Apply(features, verticalPadding, workspace);

        Assert.Equal(direct.shape, winograd.shape);
        var relative = ((direct - winograd).abs().max() / direct.abs().max()).item<float>();
        output.WriteLine($"padding {verticalPadding}, relu {relu}: max |d| / max |direct| {relative:0.0e0}");
        // F(6x6, 3x3)'s transforms round at about 1e-5 of the outputs' magnitude; a wrong tile, bias or padding is off by O(1).
        Assert.True(relative < 5e-5f, $"{relative}");
        Assert.True(direct.abs().max().item<float>() > 0.1f);
    }

    [Fact]
    public void DenseRegions_RunWinograd_AndPatchBatchesStayDirect()
    {
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var rect = new CellRect(6, 6, 5, 4);
        var cells = new List<Cell>();
        for (var y = rect.Y; y < rect.Y + rect.Height; y++)
            for (var x = rect.X; x < rect.X + rect.Width; x++) cells.Add(new Cell(x, y));
        random.manual_seed(7);
        using var model = new FcnResNet18();
        model.eval();
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        FcnResNet18 Copy()
        {
            var copy = new FcnResNet18();
            copy.load_state_dict(state);
            return copy;
        }
        using var winograd = new BatchComputer(Copy(), ComputeDevice.Parse("cpu"));
        using var direct = new BatchComputer(Copy(), ComputeDevice.Parse("cpu")) { DenseConvolutions = ConvolutionAlgorithm.Direct };
        Assert.Equal(ConvolutionAlgorithm.Winograd, winograd.DenseConvolutions);

        var dense = BatchReader.Read(slide, new TileBatch(slide.Path, 0, InferenceMode.Dense, 64, 224, cells, rect));
        var p = winograd.Compute(dense).Probabilities;
        var q = direct.Compute(dense).Probabilities;
        var dp = p.Zip(q, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"dense, {p.Length} cells: max |dp| Winograd vs direct {dp:0.0e0}, p {p.Min():0.000}..{p.Max():0.000}");
        Assert.True(dp < 1e-4f, $"{dp}");
        Assert.NotEqual(q, p); // the same to the last bit would mean Winograd never ran

        var patch = BatchReader.Read(slide, new TileBatch(slide.Path, 1, InferenceMode.Patch, 64, 224, cells.Take(6).ToList()));
        Assert.Equal(direct.Compute(patch).Probabilities, winograd.Compute(patch).Probabilities);
    }

    [Fact]
    public void Winograd_IsRefusedWhereItCannotRun_NamingWhy()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new BatchComputer(new FcnResNet18(), ComputeDevice.Parse("cpu", "bf16")) { DenseConvolutions = ConvolutionAlgorithm.Winograd });
        Assert.Contains("BFloat16", error.Message);
        Assert.Equal(ConvolutionAlgorithm.Direct, BatchComputer.DefaultDenseConvolutionsFor(ComputeDevice.Parse("cpu", "bf16")));
    }

    [Fact]
    public void TheTestProcess_RunsOpenMpPassive_SetBeforeLibtorchLoaded()
    {
        // NativeRuntime's module initializer runs before any test touches torch, as opath's and the silo's entry points do.
        Assert.Equal("PASSIVE", NativeRuntimeSettings.NativeValue(NativeRuntimeSettings.OpenMpWaitPolicy));
    }
}
