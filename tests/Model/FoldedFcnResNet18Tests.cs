using OrleansPathology.Imaging;
using OrleansPathology.Model;
using OrleansPathology.Slides;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

/// <summary>Batch norm folded into the convolutions (inference's network) against the model as trained.</summary>
[Collection(SeededModelsCollection.Name)]
public sealed class FoldedFcnResNet18Tests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void FoldedNetwork_GivesTheUnfoldedProbabilities_OnRealPatchesAndARealRegion()
    {
        random.manual_seed(11);
        using var model = new FcnResNet18();
        GiveBatchNormsTrainedLookingStatistics(model);
        model.eval();
        using var _ = no_grad();

        // 8 real CAMELYON16 patches (256x256: a 2x2 logit map each), tumour and normal.
        var files = Directory.GetFiles(TestData.Patches("camelyon16-didsr/tumor"), "*.png").Order(StringComparer.Ordinal).Take(4)
            .Concat(Directory.GetFiles(TestData.Patches("camelyon16-didsr/normal"), "*.png").Order(StringComparer.Ordinal).Take(4))
            .ToArray();
        var rgb = files.SelectMany(f => PngReader.Read(f).Pixels).ToArray();
        CentreTheLogits(model, PatchTensor.FromRgb(rgb, files.Length, 256, 256, CPU, ScalarType.Float32));
        using var folded = FoldedFcnResNet18.Fold(model);
        AssertSame(model, folded, PatchTensor.FromRgb(rgb, files.Length, 256, 256, CPU, ScalarType.Float32, channelsLast: true));

        // A dense region of a real slide, as inference feeds it (channels-last), and as NCHW.
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        var region = slide.ReadRegion(300, 200, 0, 608, 544);
        AssertSame(model, folded, PatchTensor.FromRgb(region.Pixels, 1, 544, 608, CPU, ScalarType.Float32, channelsLast: true));
        AssertSame(model, folded, PatchTensor.FromRgb(region.Pixels, 1, 544, 608, CPU, ScalarType.Float32));
    }

    [Fact]
    public void BandsOfRows_GiveTheWholeRegionsLogits_WhateverTheBandHeight()
    {
        random.manual_seed(13);
        using var model = new FcnResNet18();
        GiveBatchNormsTrainedLookingStatistics(model);
        model.eval();
        using var _ = no_grad();
        using var slide = Slide.Open(TestData.Slide("CMU-1-Small-Region.svs"));
        // A tall region of real tissue (dense inference's 416 px margin-and-window plus cells at stride 64), and a short
        // one whose height is not a multiple of the network's stride.
        foreach (var (width, height) in new[] { (608, 1120), (480, 459) })
        {
            var region = slide.ReadRegion(200, 100, 0, width, height);
            Tensor Rows(long first, int count) =>
                PatchTensor.FromRgb(region.Pixels[(int)(first * width * 3)..(int)((first + count) * width * 3)], 1, count, width, CPU, ScalarType.Float32, channelsLast: true);
            using var folded = FoldedFcnResNet18.Fold(model);
            using var whole = folded.Forward(Rows(0, height));
            Assert.True(whole.shape[2] > 2, $"{height} rows give {whole.shape[2]} output rows: too few to say anything about bands");
            foreach (var band in new[] { 1, 32, 100, 192, 256, height })
            {
                using var banded = folded.ForwardInBands(height, band, Rows);
                Assert.Equal(whole.shape, banded.shape);
                var diff = ((whole - banded).abs().max() / whole.abs().max()).item<float>();
                output.WriteLine($"{width}x{height}, bands of {band} rows: max |dlogit| / max |logit| {diff:0.0e0}");
                Assert.True(diff < 1e-5f, $"{width}x{height} in bands of {band}: {diff}");

                // Winograd's tiles start at each band's first row, so its rounding moves with the bands: 13 convolutions
                // of about 1e-5 each.
                using var winograd = folded.ForwardInBands(height, band, Rows, ConvolutionAlgorithm.Winograd);
                var winogradDiff = ((whole - winograd).abs().max() / whole.abs().max()).item<float>();
                output.WriteLine($"{width}x{height}, bands of {band} rows, Winograd: max |dlogit| / max |logit| {winogradDiff:0.0e0}");
                Assert.True(winogradDiff < 1e-4f, $"{width}x{height} in bands of {band}, Winograd: {winogradDiff}");
            }
        }
    }

    [Fact]
    public void Folding_LeavesTheModelAsItWas()
    {
        random.manual_seed(12);
        using var model = new FcnResNet18();
        GiveBatchNormsTrainedLookingStatistics(model);
        model.eval();
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        using (FoldedFcnResNet18.Fold(model)) { }
        foreach (var (name, value) in model.state_dict())
            Assert.True(value.equal(before[name]).all().item<bool>(), $"{name} changed");
    }

    private void AssertSame(FcnResNet18 model, FoldedFcnResNet18 folded, Tensor input)
    {
        using (input)
        {
            using var reference = model.forward(input);
            using var logits = folded.Forward(input);
            Assert.Equal(reference.shape, logits.shape);
            var p = reference.sigmoid();
            var q = logits.sigmoid();
            // The folded sums differ from BN after conv only by float32 rounding in another order (measured 1e-6 to 5e-6:
            // the same order as the unfolded network's own NCHW against channels-last).
            var dp = (p - q).abs().max().item<float>();
            var dl = ((reference - logits).abs().max() / reference.abs().max().clamp_min(1)).item<float>();
            output.WriteLine($"{string.Join('x', input.shape)}: max |dp| {dp:0.0e0}, max |dlogit| / max |logit| {dl:0.0e0}, p {p.min().item<float>():0.000}..{p.max().item<float>():0.000}");
            Assert.True(dp < 1e-5f, $"max |dp| {dp}");
            Assert.True(dl < 1e-5f, $"max |dlogit| relative {dl}");
            Assert.True(p.std().item<float>() > 0.01f, $"probabilities nearly constant ({p.min().item<float>()}..{p.max().item<float>()}, logits {reference.min().item<float>()}..{reference.max().item<float>()}): the comparison would say little");
        }
    }

    // Random weights put every logit far out in one tail (p = 1 everywhere); a trained head does not. Rescale the head
    // so these patches' logits have mean 0 and spread 2, where probabilities tell inputs apart.
    private static void CentreTheLogits(FcnResNet18 model, Tensor input)
    {
        using (input)
        {
            using var logits = model.forward(input);
            var mean = logits.mean().item<float>();
            var spread = logits.std().item<float>() / 2;
            var state = model.state_dict();
            state["fc.weight"].div_(spread);
            state["fc.bias"].sub_(mean).div_(spread);
        }
    }

    // A fresh network's batch norms are identities (mean 0, var 1, weight 1, bias 0), which folding would pass trivially;
    // trained ones are not. Statistics in the ranges trained ResNets show.
    private static void GiveBatchNormsTrainedLookingStatistics(FcnResNet18 model)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in model.state_dict())
        {
            // In place from the generator, without tensor-scalar arithmetic (the full suite once saw libtorch refuse a
            // Scalar there: "toFloat ... Expected false to be true").
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) tensor.normal_(0, 0.5);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) tensor.uniform_(0.05, 2.05);
            else if (IsBatchNorm(model, name) && name.EndsWith(".weight", StringComparison.Ordinal)) tensor.uniform_(0.5, 1.5);
            else if (IsBatchNorm(model, name) && name.EndsWith(".bias", StringComparison.Ordinal)) tensor.normal_(0, 0.2);
        }
    }

    private static bool IsBatchNorm(FcnResNet18 model, string parameter) =>
        model.state_dict().ContainsKey(parameter[..parameter.LastIndexOf('.')] + ".running_var");
}
