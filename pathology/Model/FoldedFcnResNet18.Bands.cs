using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace OrleansPathology.Model;

public sealed partial class FoldedFcnResNet18
{
    /// <summary>
    /// <see cref="Forward"/>'s logits for one image of <paramref name="height"/> rows, computed a band of
    /// <paramref name="bandRows"/> input rows at a time (<paramref name="rows"/>(first, count) gives them, as
    /// <see cref="Forward"/> takes its input; the tensor is disposed here). Each layer keeps the rows its next band
    /// still needs, so nothing is computed twice and activations are bounded by width x band, not by the image:
    /// a tall dense region costs the memory of a band. Equal to <see cref="Forward"/> up to float rounding.
    /// </summary>
    public Tensor ForwardInBands(long height, int bandRows, Func<long, int, Tensor> rows, ConvolutionAlgorithm convolutions = ConvolutionAlgorithm.Direct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bandRows, 1);
        using var _ = no_grad();
        var stages = BandedStages(WorkspaceFor(convolutions));
        var outputs = new List<Tensor>();
        try
        {
            for (long first = 0; first < height; first += bandRows)
            {
                var count = (int)Math.Min(bandRows, height - first);
                var last = first + count >= height;
                var x = rows(first, count);
                foreach (var stage in stages)
                {
                    Tensor? y;
                    using (NewDisposeScope())
                    {
                        y = stage.Push(x, last)?.MoveToOuterDisposeScope();
                    }
                    x?.Dispose();
                    x = y;
                }
                if (x is not null) outputs.Add(x);
            }
            return cat(outputs, 2);
        }
        finally
        {
            foreach (var output in outputs) output.Dispose();
            foreach (var stage in stages) stage.Dispose();
            _workspace?.Release();
        }
    }

    private List<IBandedStage> BandedStages(NnpackWorkspace? winograd)
    {
        var stages = new List<IBandedStage>
        {
            new BandedStage(_stem.Banded(winograd)),
            // ReLU's output is never negative, so padding a max pool with 0 rows gives what -inf padding gives.
            new BandedStage(new BandedLayer(3, 2, 1, t => ForLayers(F.max_pool2d(t, [3, 3], [2, 2], [0, 1]), winograd))),
        };
        stages.AddRange(_blocks.Select(b => new BandedBlock(b, winograd)));
        stages.Add(new BandedStage(_head.Banded(winograd)));
        stages.Add(new BandedStage(new BandedLayer(FcnResNet18.PoolSize, 1, 0, t => F.avg_pool2d(t, FcnResNet18.PoolSize, 1))));
        return stages;
    }

    private interface IBandedStage : IDisposable
    {
        Tensor? Push(Tensor? input, bool last);
    }

    private sealed class BandedStage(BandedLayer layer) : IBandedStage
    {
        public Tensor? Push(Tensor? input, bool last) => layer.Push(input, last);

        public void Dispose() => layer.Dispose();
    }

    // A residual block over bands: the shortcut's rows run ahead of the two convolutions' and wait to be added.
    private sealed class BandedBlock(ResidualBlock block, NnpackWorkspace? winograd) : IBandedStage
    {
        private readonly BandedLayer _conv1 = block.Conv1.Banded(winograd);
        private readonly BandedLayer _conv2 = block.Conv2.Banded(winograd);
        private readonly BandedLayer? _downsample = block.Downsample?.Banded(winograd);
        private Tensor? _shortcut;

        public Tensor? Push(Tensor? input, bool last)
        {
            var shortcut = _downsample is null ? input?.alias() : _downsample.Push(input, last);
            if (shortcut is not null) Keep(_shortcut is null || _shortcut.shape[2] == 0 ? shortcut : cat([_shortcut, shortcut], 2));
            var y = _conv2.Push(_conv1.Push(input, last), last);
            if (y is null) return null;
            var rows = y.shape[2];
            y.add_(_shortcut!.narrow(2, 0, rows)).relu_();
            Keep(_shortcut.narrow(2, rows, _shortcut.shape[2] - rows).clone());
            return y;
        }

        public void Dispose()
        {
            _conv1.Dispose();
            _conv2.Dispose();
            _downsample?.Dispose();
            _shortcut?.Dispose();
        }

        private void Keep(Tensor rows)
        {
            var old = _shortcut;
            _shortcut = rows.DetachFromDisposeScope();
            old?.Dispose();
        }
    }
}
