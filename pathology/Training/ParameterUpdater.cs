using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace OrleansPathology.Training;

/// <summary>Novograd's hyper-parameters (MONAI's defaults), as a checkpoint records them.</summary>
public sealed record NovogradSettings(
    double LearningRate = Novograd.DefaultLearningRate,
    double Beta1 = Novograd.DefaultBeta1,
    double Beta2 = Novograd.DefaultBeta2,
    double Eps = Novograd.DefaultEps,
    double WeightDecay = 0,
    bool GradAveraging = false,
    bool Amsgrad = false);

/// <summary>What one call of <see cref="ParameterUpdater.Apply"/> did.</summary>
/// <param name="Step">The global step this was (0-based).</param>
/// <param name="LearningRate">The rate the schedule gave this step.</param>
/// <param name="Applied">False when the step was skipped for non-finite fp16 gradients.</param>
/// <param name="LossScale">The loss scale for the next step (1 without scaling).</param>
public sealed record StepOutcome(long Step, double LearningRate, bool Applied, double LossScale);

/// <summary>Gradients came back non-finite without loss scaling to absorb it: the run has diverged.</summary>
public sealed class TrainingDivergedException(long step, double loss)
    : Exception($"step {step}: gradients hold inf or NaN (mean loss {loss}); the run has diverged (lower the learning rate, or check the inputs)")
{
    public long Step { get; } = step;
}

/// <summary>
/// The coordinator half of a training step: the fp32 master weights, Novograd over them, the cosine schedule and
/// (for fp16) the loss scaler. <see cref="Apply"/> takes the averaged <see cref="GradientSet"/> of a global batch and
/// makes the one optimizer step, so compute-gradients / average / apply can run on different machines.
/// </summary>
public sealed class ParameterUpdater : IDisposable
{
    private readonly Module<Tensor, Tensor> _master;
    private readonly List<(string Name, TorchSharp.Modules.Parameter Value)> _parameters;
    private readonly Dictionary<string, Tensor> _buffers;

    /// <param name="master">The fp32 master model (not owned).</param>
    /// <param name="settings">Novograd's hyper-parameters; the learning rate is the schedule's base.</param>
    /// <param name="schedule">The learning rate of each step.</param>
    /// <param name="scaler">A loss scaler for fp16, or null.</param>
    /// <param name="step">The next global step (non-zero when resuming).</param>
    public ParameterUpdater(Module<Tensor, Tensor> master, NovogradSettings settings, CosineAnnealingSchedule schedule, DynamicLossScaler? scaler = null, long step = 0)
    {
        _master = master;
        _parameters = master.named_parameters().ToList();
        _buffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        if (_parameters.Any(p => p.Value.dtype != ScalarType.Float32))
            throw new ArgumentException("master weights must be fp32 (cast the compute copy, not the master)");
        Settings = settings;
        Schedule = schedule;
        Scaler = scaler;
        Step = step;
        Optimizer = new Novograd(_parameters.Select(p => p.Value), settings.LearningRate, settings.Beta1, settings.Beta2, settings.Eps,
            settings.WeightDecay, settings.GradAveraging, settings.Amsgrad);
    }

    public Novograd Optimizer { get; }

    public NovogradSettings Settings { get; }

    public CosineAnnealingSchedule Schedule { get; }

    public DynamicLossScaler? Scaler { get; }

    /// <summary>The next global step: steps taken so far, skipped ones included (the schedule moves on either way).</summary>
    public long Step { get; private set; }

    /// <summary>The loss scale workers should use for the next step (1 without scaling).</summary>
    public double LossScale => Scaler?.Scale ?? 1;

    /// <summary>
    /// One optimizer step from averaged gradients: the master's <c>.grad</c> become <paramref name="averaged"/>'s, the
    /// learning rate is set from the schedule, Novograd steps, and the averaged BatchNorm buffers are copied in. With a
    /// loss scaler, non-finite gradients skip the step (and halve the scale); without one they are a
    /// <see cref="TrainingDivergedException"/>.
    /// </summary>
    public StepOutcome Apply(GradientSet averaged)
    {
        var step = Step;
        var rate = Schedule.LearningRateAt(step);
        bool apply;
        if (Scaler is null)
        {
            if (averaged.HasNonFinite) throw new TrainingDivergedException(step, averaged.MeanLoss);
            apply = true;
        }
        else
        {
            apply = Scaler.Update(averaged.HasNonFinite);
        }

        if (apply)
        {
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                if (averaged.Gradients.Count != _parameters.Count)
                    throw new ArgumentException($"{averaged.Gradients.Count} gradients for {_parameters.Count} parameters");
                for (var i = 0; i < _parameters.Count; i++)
                {
                    var (name, p) = _parameters[i];
                    var (gradName, g) = averaged.Gradients[i];
                    if (gradName != name) throw new ArgumentException($"gradient '{gradName}' arrived where '{name}' was expected");
                    var current = p.grad;
                    if (current is null) p.grad = g.to(p.device).clone().DetachFromDisposeScope();
                    else current.copy_(g);
                }
                foreach (var (name, b) in averaged.Buffers)
                {
                    if (!_buffers.TryGetValue(name, out var target)) throw new ArgumentException($"the master model has no buffer '{name}'");
                    target.copy_(b);
                }
            }
            Schedule.Apply(Optimizer, step);
            Optimizer.step();
        }
        Step = step + 1;
        return new StepOutcome(step, rate, apply, LossScale);
    }

    public void Dispose() => Optimizer.Dispose();
}
