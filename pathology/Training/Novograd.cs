using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OrleansPathology.Training;

/// <summary>
/// NovoGrad (Ginsburg et al. 2019, "Stochastic Gradient Methods with Layer-wise Adaptive Moments for Training of
/// Deep Networks", arXiv:1905.11286) as a TorchSharp optimizer, with the semantics of MONAI's
/// <c>monai.optimizers.Novograd</c>, which the pathology_tumor_detection bundle trains with. Per parameter tensor:
/// <code>
/// n       = sum(g^2)                                   (the squared norm of the whole tensor's gradient)
/// v       = n if v == 0 else beta2 * v + (1 - beta2) * n
/// v_max   = max(v_max, v)                              (amsgrad only; then v_max replaces v below)
/// g_hat   = g / (sqrt(v) + eps) + weight_decay * p
/// g_hat  *= (1 - beta1)                                (grad_averaging only)
/// m       = beta1 * m + g_hat
/// p      -= lr * m
/// </code>
/// As MONAI, the second moment is a scalar per tensor, starts at 0 and takes the first squared norm as it is (no
/// bias correction); "v == 0" is tested on every step, as MONAI's <c>if exp_avg_sq == 0</c> is, so a tensor whose
/// gradients were all zero until now also starts afresh. Unlike MONAI, the parameters' <c>.grad</c> is left as it was
/// (MONAI divides it in place), so gradients can be inspected after a step.
/// </summary>
public sealed class Novograd : OptimizerHelper, torch.optim.IBetas
{
    /// <summary>MONAI's defaults: lr 1e-3, betas (0.9, 0.98), eps 1e-8, no weight decay, no averaging, no amsgrad.</summary>
    public const double DefaultLearningRate = 1e-3, DefaultBeta1 = 0.9, DefaultBeta2 = 0.98, DefaultEps = 1e-8;

    public Novograd(IEnumerable<Parameter> parameters, double lr = DefaultLearningRate, double beta1 = DefaultBeta1, double beta2 = DefaultBeta2,
        double eps = DefaultEps, double weightDecay = 0, bool gradAveraging = false, bool amsgrad = false)
    {
        if (!(lr >= 0)) throw new ArgumentException($"Invalid learning rate: {lr}");
        if (!(eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {eps}");
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {beta1}");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {beta2}");
        if (!(weightDecay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {weightDecay}");
        _defaults = new Options
        {
            LearningRate = lr,
            InitialLearningRate = lr,
            Beta1 = beta1,
            Beta2 = beta2,
            Eps = eps,
            WeightDecay = weightDecay,
            GradAveraging = gradAveraging,
            Amsgrad = amsgrad,
        };
        _parameter_groups = new List<TorchSharp.Modules.ParamGroup>();
        add_param_group(new ParamGroup(parameters));
    }

    public (double, double) Betas
    {
        get => (((Options)_defaults).Beta1!.Value, ((Options)_defaults).Beta2!.Value);
        set
        {
            ((Options)_defaults).Beta1 = value.Item1;
            ((Options)_defaults).Beta2 = value.Item2;
        }
    }

    /// <summary>One update of every parameter that has a gradient; parameters without one are skipped, as in MONAI.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        var beta1 = options.Beta1!.Value;
        var beta2 = options.Beta2!.Value;
        var eps = options.Eps!.Value;
        var weightDecay = options.WeightDecay!.Value;
        var averaging = options.GradAveraging!.Value;
        var amsgrad = options.Amsgrad!.Value;
        var lr = options.LearningRate!.Value;

        foreach (var parameter in group.Parameters)
        {
            var grad = parameter.grad;
            if (grad is null) continue;
            if (grad.is_sparse) throw new InvalidOperationException("Sparse gradients are not supported.");
            var state = (State)_state[parameter.Handle];
            state.Step += 1;

            var norm = grad.square().sum().to(state.ExpAvgSq.dtype);
            var blended = state.ExpAvgSq.mul(beta2).add_(norm, alpha: 1 - beta2);
            state.ExpAvgSq.copy_(where(state.ExpAvgSq.eq(0), norm, blended));

            Tensor denominator;
            if (amsgrad)
            {
                var max = state.MaxExpAvgSq ?? throw new InvalidOperationException("amsgrad state missing");
                max.copy_(maximum(max, state.ExpAvgSq));
                denominator = max.sqrt().add_(eps);
            }
            else
            {
                denominator = state.ExpAvgSq.sqrt().add_(eps);
            }

            var update = grad.div(denominator.to(grad.dtype));
            if (weightDecay != 0) update.add_(parameter, alpha: weightDecay);
            if (averaging) update.mul_(1 - beta1);
            state.ExpAvg.mul_(beta1).add_(update);
            parameter.add_(state.ExpAvg, alpha: -lr);
        }
    }, closure);

    /// <summary>This optimizer's state of <paramref name="parameter"/> (for tests and checkpoints).</summary>
    public State StateOf(Parameter parameter) => (State)_state[parameter.Handle];

    public override void add_param_group(TorchSharp.Modules.ParamGroup paramGroup)
    {
        var defaults = (Options)_defaults;
        paramGroup.Options ??= new Options();
        var options = (Options)paramGroup.Options;
        options.LearningRate ??= defaults.LearningRate;
        options.Beta1 ??= defaults.Beta1;
        options.Beta2 ??= defaults.Beta2;
        options.Eps ??= defaults.Eps;
        options.WeightDecay ??= defaults.WeightDecay;
        options.GradAveraging ??= defaults.GradAveraging;
        options.Amsgrad ??= defaults.Amsgrad;
        options.InitialLearningRate = options.LearningRate!.Value;
        _parameter_groups.Add(paramGroup);

        foreach (var p in paramGroup.Parameters)
        {
            var state = new State(p);
            state.Initialize(options);
            _state[p.Handle] = state;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        foreach (var (_, state) in _state) ((State)state).Dispose();
    }

    /// <summary>Hyper-parameters of a parameter group (MONAI's names in snake case).</summary>
    public sealed class Options : OptimizerOptions
    {
        public double? Beta1 { get; set; }
        public double? Beta2 { get; set; }
        public double? Eps { get; set; }
        public double? WeightDecay { get; set; }
        public bool? GradAveraging { get; set; }
        public bool? Amsgrad { get; set; }

        public override void LoadStateDict(OptimizerOptions source)
        {
            base.LoadStateDict(source);
            var other = (Options)source;
            (Beta1, Beta2, Eps, WeightDecay, GradAveraging, Amsgrad) = (other.Beta1, other.Beta2, other.Eps, other.WeightDecay, other.GradAveraging, other.Amsgrad);
        }

        public override void LoadStateDict(BinaryReader reader)
        {
            base.LoadStateDict(reader);
            Beta1 = reader.ReadDouble();
            Beta2 = reader.ReadDouble();
            Eps = reader.ReadDouble();
            WeightDecay = reader.ReadDouble();
            GradAveraging = reader.ReadBoolean();
            Amsgrad = reader.ReadBoolean();
        }

        public override void SaveStateDict(BinaryWriter writer)
        {
            base.SaveStateDict(writer);
            writer.Write(Beta1!.Value);
            writer.Write(Beta2!.Value);
            writer.Write(Eps!.Value);
            writer.Write(WeightDecay!.Value);
            writer.Write(GradAveraging!.Value);
            writer.Write(Amsgrad!.Value);
        }
    }

    /// <summary>A group of parameters sharing hyper-parameters; unset values take the optimizer's defaults.</summary>
    public sealed class ParamGroup : ParamGroup<Options>
    {
        public ParamGroup() { }

        public ParamGroup(IEnumerable<Parameter> parameters, Options? options = null) : base(parameters, options ?? new Options()) { }
    }

    /// <summary>Per-parameter state: MONAI's <c>step</c>, <c>exp_avg</c>, scalar <c>exp_avg_sq</c> and <c>max_exp_avg_sq</c>.</summary>
    public sealed class State(Parameter parameter) : OptimizerState(parameter), IDisposable
    {
        public long Step { get; set; }

        /// <summary>First moment, shaped as the parameter.</summary>
        public Tensor ExpAvg { get; private set; } = null!;

        /// <summary>Second moment: one fp32 scalar for the whole tensor.</summary>
        public Tensor ExpAvgSq { get; private set; } = null!;

        /// <summary>Running maximum of <see cref="ExpAvgSq"/> (amsgrad only).</summary>
        public Tensor? MaxExpAvgSq { get; private set; }

        /// <summary>Zero moments for the parameter: as MONAI's first step finds them.</summary>
        public override void Initialize(OptimizerOptions options)
        {
            Step = 0;
            ExpAvg = zeros_like(_parameter).DetachFromDisposeScope();
            ExpAvgSq = zeros(Array.Empty<long>(), ScalarType.Float32, _parameter.device).DetachFromDisposeScope();
            MaxExpAvgSq = ((Options)options).Amsgrad == true ? zeros(Array.Empty<long>(), ScalarType.Float32, _parameter.device).DetachFromDisposeScope() : null;
        }

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
            MaxExpAvgSq?.Dispose();
        }

        public override void to(Device device)
        {
            ExpAvg = Move(ExpAvg, device);
            ExpAvgSq = Move(ExpAvgSq, device);
            if (MaxExpAvgSq is not null) MaxExpAvgSq = Move(MaxExpAvgSq, device);
        }

        private static Tensor Move(Tensor tensor, Device device)
        {
            var moved = tensor.to(device).DetachFromDisposeScope();
            if (!ReferenceEquals(moved, tensor)) tensor.Dispose();
            return moved;
        }

        public override void SaveStateDict(BinaryWriter writer)
        {
            writer.Write(Step);
            ExpAvg.Save(writer);
            ExpAvgSq.Save(writer);
            writer.Write(MaxExpAvgSq is not null);
            MaxExpAvgSq?.Save(writer);
        }

        public override void LoadStateDict(BinaryReader reader)
        {
            Step = reader.ReadInt64();
            ExpAvg.Load(reader);
            ExpAvgSq.Load(reader);
            if (reader.ReadBoolean())
            {
                MaxExpAvgSq ??= zeros_like(ExpAvgSq).DetachFromDisposeScope();
                MaxExpAvgSq.Load(reader);
            }
            else
            {
                MaxExpAvgSq?.Dispose();
                MaxExpAvgSq = null;
            }
        }

        public override void LoadStateDict(OptimizerState source)
        {
            var other = (State)source;
            Step = other.Step;
            using (no_grad())
            {
                ExpAvg.copy_(other.ExpAvg);
                ExpAvgSq.copy_(other.ExpAvgSq);
                if (other.MaxExpAvgSq is null)
                {
                    MaxExpAvgSq?.Dispose();
                    MaxExpAvgSq = null;
                }
                else
                {
                    MaxExpAvgSq ??= zeros_like(other.MaxExpAvgSq).DetachFromDisposeScope();
                    MaxExpAvgSq.copy_(other.MaxExpAvgSq);
                }
            }
        }

        public override bool ApproximatelyEquals(OptimizerState other) =>
            other is State rhs && Step == rhs.Step && ExpAvg.allclose(rhs.ExpAvg) && ExpAvgSq.allclose(rhs.ExpAvgSq)
            && (MaxExpAvgSq is null ? rhs.MaxExpAvgSq is null : rhs.MaxExpAvgSq is not null && MaxExpAvgSq.allclose(rhs.MaxExpAvgSq));
    }
}
