using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

public sealed class FcnResNet18Tests
{
    [Fact]
    public void HasTheClaraParameterCountAndMonaiKeyNames()
    {
        using var model = new FcnResNet18();

        Assert.Equal(FcnResNet18.ExpectedParameterCount, model.ParameterCount());
        var keys = model.state_dict().Keys.ToHashSet();
        Assert.Contains("features.0.weight", keys);           // conv1
        Assert.Contains("features.1.running_mean", keys);     // bn1
        Assert.Contains("features.4.0.conv1.weight", keys);   // layer1, block 0
        Assert.Contains("features.7.1.bn2.bias", keys);       // layer4, block 1
        Assert.Contains("fc.weight", keys);
        Assert.Contains("fc.bias", keys);
        Assert.Equal(new long[] { 1, 512, 1, 1 }, model.state_dict()["fc.weight"].shape);
    }

    [Theory]
    [InlineData(224, 1)]
    [InlineData(256, 2)]
    [InlineData(512, 10)]
    public void IsFullyConvolutional_OneLogitPer32PixelsOfA224Window(int side, int expected)
    {
        using var model = new FcnResNet18();
        model.eval();
        using var _ = no_grad();
        using var input = zeros(2, 3, side, side);

        using var output = model.forward(input);

        Assert.Equal(new long[] { 2, 1, expected, expected }, output.shape);
        Assert.Equal(expected, FcnResNet18.OutputSize(side));
    }

    [Fact]
    public void PatchTensor_ScalesBytesToMinusOneToOne_Nchw()
    {
        // Two 1x2 images: (0,0,0),(255,255,255) and (128,64,32),(255,0,255).
        byte[] rgb = [0, 0, 0, 255, 255, 255, 128, 64, 32, 255, 0, 255];

        using var t = PatchTensor.FromRgb(rgb, 2, 1, 2, CPU, ScalarType.Float32);

        Assert.Equal(new long[] { 2, 3, 1, 2 }, t.shape);
        Assert.Equal(-1f, t[0, 0, 0, 0].item<float>());
        Assert.Equal(1f, t[0, 2, 0, 1].item<float>());
        Assert.Equal(128 / 127.5f - 1, t[1, 0, 0, 0].item<float>(), 5);
        Assert.Equal(64 / 127.5f - 1, t[1, 1, 0, 0].item<float>(), 5);
        Assert.Equal(-1f, t[1, 1, 0, 1].item<float>());
    }

    [Fact]
    public void SurvivesTheBackboneWrapperBeingCollected()
    {
        using var model = new FcnResNet18();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        model.eval();
        using var _ = no_grad();
        using var output = model.forward(ones(1, 3, 224, 224));

        Assert.False(float.IsNaN(output.item<float>()));
    }
}
