using OrleansPathology.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OrleansPathology.Training;

/// <summary>
/// The worker half of a training step: a copy of the network in the compute precision that takes the master's
/// weights (<see cref="LoadWeights"/>), then turns sub-batches into <see cref="GradientSet"/>s (<see cref="Compute"/>).
/// Nothing here changes the master, so the same class serves one process (the <see cref="Trainer"/> runs K sub-batches
/// through one computer) and a cluster (each worker runs its own sub-batch and ships the set).
/// </summary>
/// <remarks>
/// Mixed precision without autocast (TorchSharp has none): for bf16 (CPU) and fp16 (CUDA) the copy's convolutions run
/// in the low precision while its BatchNorm layers stay fp32 (libtorch normalises a bf16/fp16 input with fp32
/// weights and statistics, as autocast and apex's keep_batchnorm_fp32 do); the inputs are cast once; the logits are
/// cast to fp32 for the loss. Gradients come back as fp32 copies; the master weights and the optimizer state never
/// leave fp32. fp16 needs a loss scale (see <see cref="DynamicLossScaler"/>): the loss is multiplied by it before
/// backward and the gradients divided by it in fp32.
/// </remarks>
public sealed class GradientComputer : IDisposable
{
    private readonly Module<Tensor, Tensor> _model;
    private readonly List<(string Name, Parameter Value)> _parameters;
    private readonly List<(string Name, Tensor Value)> _buffers;
    private readonly List<Module> _batchNorms;
    private readonly List<Tensor> _loadedBuffers = [];

    /// <param name="computeModel">The copy to compute with; this object owns it from now on (it is moved and cast).</param>
    /// <param name="device">Device and precision of the compute.</param>
    /// <param name="batchNorm">Train-mode BatchNorm per sub-batch, or frozen statistics.</param>
    public GradientComputer(Module<Tensor, Tensor> computeModel, ComputeDevice device, BatchNormMode batchNorm = BatchNormMode.PerSubBatch)
    {
        _model = computeModel;
        Device = device;
        BatchNorm = batchNorm;
        _model.to(device.TorchDevice);
        _batchNorms = _model.modules().Where(m => m is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d or TorchSharp.Modules.BatchNorm3d).ToList();
        if (device.Precision != Precision.Fp32)
        {
            _model.to(device.ScalarType);
            foreach (var bn in _batchNorms) bn.to(ScalarType.Float32);
        }
        _parameters = _model.named_parameters().ToList();
        _buffers = _model.named_buffers().ToList();
    }

    public ComputeDevice Device { get; }

    public BatchNormMode BatchNorm { get; }

    /// <summary>The compute copy (for evaluation on the same device and precision).</summary>
    public Module<Tensor, Tensor> Model => _model;

    /// <summary>
    /// Copies the master's parameters and buffers (by name, cast to this copy's types) and remembers the buffers, so that
    /// every <see cref="Compute"/> until the next load starts from the same BatchNorm statistics.
    /// </summary>
    public void LoadWeights(Module<Tensor, Tensor> master)
    {
        using var _ = no_grad();
        var parameters = master.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var (name, p) in _parameters)
        {
            if (!parameters.TryGetValue(name, out var source)) throw new ArgumentException($"the master model has no parameter '{name}'");
            p.copy_(source);
        }
        var buffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var t in _loadedBuffers) t.Dispose();
        _loadedBuffers.Clear();
        foreach (var (name, b) in _buffers)
        {
            if (!buffers.TryGetValue(name, out var source)) throw new ArgumentException($"the master model has no buffer '{name}'");
            b.copy_(source);
            _loadedBuffers.Add(b.clone().DetachFromDisposeScope());
        }
    }

    /// <summary>
    /// Forward and backward of one sub-batch: BCE-with-logits (mean) of the [N,1,1,1] logits against the labels,
    /// multiplied by <paramref name="lossScale"/> before backward. Returns the mean gradient (fp32, unscaled), the BatchNorm
    /// buffers after the forward, the loss sum and hit count. Buffers are first reset to those last loaded, so sub-batches
    /// of one step do not see each other's statistics.
    /// </summary>
    public GradientSet Compute(PatchBatch batch, double lossScale = 1)
    {
        if (!(lossScale > 0) || !double.IsFinite(lossScale)) throw new ArgumentOutOfRangeException(nameof(lossScale), lossScale, "loss scale must be positive and finite");
        if (BatchNorm == BatchNormMode.PerSubBatch && batch.Count < 2)
            throw new ArgumentException($"a sub-batch of {batch.Count} patch cannot be normalised by its own BatchNorm statistics; use sub-batches of at least 2 or BatchNormMode.Frozen");
        using var scope = NewDisposeScope();
        RestoreBuffers();
        _model.train();
        if (BatchNorm == BatchNormMode.Frozen)
        {
            foreach (var bn in _batchNorms) bn.eval();
        }
        _model.zero_grad();

        var inputs = batch.Inputs(Device.TorchDevice, Device.ScalarType);
        var targets = batch.Targets(Device.TorchDevice);
        var logits = Logits(inputs, batch.Count);
        var loss = functional.binary_cross_entropy_with_logits(logits, targets);
        (lossScale == 1 ? loss : loss * lossScale).backward();

        var gradients = new List<(string, Tensor)>(_parameters.Count);
        foreach (var (name, p) in _parameters)
        {
            var g = p.grad;
            var copy = g is null ? zeros(p.shape, ScalarType.Float32, p.device) : g.dtype == ScalarType.Float32 ? g.clone() : g.to(ScalarType.Float32);
            gradients.Add((name, copy.DetachFromDisposeScope()));
        }
        var nonFinite = DynamicLossScaler.UnscaleAndCheck(gradients.Select(g => g.Item2), 1 / lossScale);
        var buffers = _buffers.Select(b => (b.Name, b.Value.clone().DetachFromDisposeScope())).ToList();
        var correct = (int)logits.gt(0).eq(targets.gt(0.5)).sum().item<long>();
        var lossValue = loss.item<float>();
        return new GradientSet(gradients, buffers, batch.Count, (double)lossValue * batch.Count, correct, nonFinite);
    }

    /// <summary>
    /// Evaluation of a batch with the last loaded weights: BatchNorm on running statistics, no gradients. Returns the
    /// loss sum, the hit count and each patch's tumour probability.
    /// </summary>
    public (double LossSum, int Correct, float[] Probabilities) Evaluate(PatchBatch batch)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _model.eval();
        var targets = batch.Targets(Device.TorchDevice);
        var logits = Logits(batch.Inputs(Device.TorchDevice, Device.ScalarType), batch.Count);
        var loss = functional.binary_cross_entropy_with_logits(logits, targets, reduction: Reduction.Sum).item<float>();
        var correct = (int)logits.gt(0).eq(targets.gt(0.5)).sum().item<long>();
        var probabilities = logits.sigmoid().cpu().data<float>().ToArray();
        return (loss, correct, probabilities);
    }

    private Tensor Logits(Tensor inputs, int count)
    {
        var output = _model.forward(inputs);
        if (output.numel() != count)
            throw new InvalidOperationException($"the model gave {output.numel()} logits (shape [{string.Join(", ", output.shape)}]) for {count} patches; training needs one logit per patch ([N, 1, 1, 1] for 224x224 input)");
        return output.reshape(count).to(ScalarType.Float32);
    }

    private void RestoreBuffers()
    {
        if (_loadedBuffers.Count == 0) return;
        using var _ = no_grad();
        for (var i = 0; i < _buffers.Count; i++) _buffers[i].Value.copy_(_loadedBuffers[i]);
    }

    public void Dispose()
    {
        foreach (var t in _loadedBuffers) t.Dispose();
        _loadedBuffers.Clear();
        _model.Dispose();
    }
}
