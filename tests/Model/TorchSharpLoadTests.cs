using TorchSharp;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

/// <summary>
/// libLibTorchSharp.so loads on Debian 12 only because the build weakens its GLIBCXX_3.4.32 need
/// (Directory.Build.targets). These fail at once if that step is lost.
/// </summary>
public sealed class TorchSharpLoadTests
{
    [Fact]
    public void ATensorOpRunsOnTheCpu()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var b = a.matmul(a);

        Assert.Equal(new float[] { 7, 10, 15, 22 }, b.data<float>().ToArray());
    }

    [Fact]
    public void AConvolutionRunsInBfloat16()
    {
        using var conv = nn.Conv2d(3, 4, 3);
        conv.to(ScalarType.BFloat16);
        using var input = ones(1, 3, 8, 8, ScalarType.BFloat16);
        using var output = conv.forward(input);

        Assert.Equal(new long[] { 1, 4, 6, 6 }, output.shape);
        Assert.Equal(ScalarType.BFloat16, output.dtype);
    }
}
