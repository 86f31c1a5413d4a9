using OrleansPathology.Model;
using static TorchSharp.torch;

namespace OrleansPathology.Tests.Model;

public sealed class StageByStageTests
{
    [Fact]
    public void ForwardStageByStage_GivesExactlyTheLogitsOfForward_AndLeavesItsInputAlive()
    {
        random.manual_seed(7);
        using var model = new FcnResNet18();
        model.eval();
        using var _ = no_grad();
        using var input = randn(2, 3, 320, 288);

        using var whole = model.forward(input);
        using var staged = model.ForwardStageByStage(input);

        Assert.Equal(whole.shape, staged.shape);
        Assert.Equal(0, (whole - staged).abs().max().item<float>());
        Assert.Equal(input.shape, input.clone().shape); // still usable
    }
}
