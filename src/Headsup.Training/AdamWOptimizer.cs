using Headsup.Models;
using Headsup.Models.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>
/// AdamW (Loshchilov and Hutter; decoupled weight decay, no AMSGrad) with parameter groups: the arithmetic of
/// TorchSharp's <c>optim.AdamW</c> step for step, but with every Scalar held until its native call returns.
/// TorchSharp's own step passes implicit temporaries (<c>mul_(beta1)</c>, <c>add_(grad, alpha: 1 - beta1)</c>, …) that
/// the finaliser can free mid-call (docs/torchsharp-scalars.md). Its state (step count and both moments per
/// parameter) is saved and restored with checkpoints.
/// </summary>
public sealed class AdamWOptimizer : IDisposable
{
    private static readonly byte[] Magic = "HEADSUP-ADAMW-1"u8.ToArray();
    private readonly List<ParameterGroup> _groups;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;

    public AdamWOptimizer(IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRate, double WeightDecay)> groups, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1 || epsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), $"betas must be in [0, 1) and epsilon > 0 (got {beta1}, {beta2}, {epsilon})");
        }

        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _groups = groups.Select(g => new ParameterGroup(g.Parameters.ToList(), g.LearningRate, g.WeightDecay)).ToList();
    }

    /// <summary>The parameter groups, in construction order; set <see cref="ParameterGroup.LearningRate"/> to schedule.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>Zeroes every parameter's gradient (before the next backward pass).</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in _groups.SelectMany(g => g.Parameters))
        {
            using var grad = parameter.grad;
            if (grad is not null)
            {
                grad.zero_();
            }
        }
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        using var beta1 = _beta1.ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        foreach (var group in _groups)
        {
            // The decay is the same for every parameter of a group; the bias corrections depend on the step count,
            // which is the same for all parameters that have had a gradient at every step: made once, remade only
            // for a parameter whose count differs.
            using var decay = (1 - (group.LearningRate * group.WeightDecay)).ToScalar();
            using var corrections = new StepScalars(_beta1, _beta2, group.LearningRate);
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                var parameter = group.Parameters[i];
                using var scope = NewDisposeScope();
                var grad = parameter.grad;
                if (grad is null)
                {
                    continue;
                }

                var state = group.States[i] ??= new MomentState(parameter);
                state.Step++;
                var (rootCorrection2, stepSize) = corrections.For(state.Step);
                parameter.mul_(decay);
                state.ExpAvg.mul_(beta1).add_(grad, oneMinusBeta1);
                state.ExpAvgSq.mul_(beta2).addcmul_(grad, grad, oneMinusBeta2);
                var denominator = state.ExpAvgSq.sqrt().div_(rootCorrection2).add_(epsilon, TorchScalars.One);
                parameter.addcdiv_(state.ExpAvg, denominator, stepSize);
            }
        }
    }

    /// <summary>
    /// The step's √(1 − β₂ᵗ) and −lr / (1 − β₁ᵗ) as Scalars held until disposed, for the last step count asked for.
    /// </summary>
    private sealed class StepScalars(double beta1, double beta2, double learningRate) : IDisposable
    {
        private long _step = -1;
        private Scalar? _rootCorrection2;
        private Scalar? _stepSize;

        public (Scalar RootCorrection2, Scalar StepSize) For(long step)
        {
            if (step != _step)
            {
                // The previous step's pair is disposed here, so each Scalar made below is disposed by this method or by Dispose.
                _rootCorrection2?.Dispose();
                _stepSize?.Dispose();
                _rootCorrection2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
                _stepSize = (-learningRate / (1 - Math.Pow(beta1, step))).ToScalar();
                _step = step;
            }

            return (_rootCorrection2!, _stepSize!);
        }

        public void Dispose()
        {
            _rootCorrection2?.Dispose();
            _stepSize?.Dispose();
            _rootCorrection2 = _stepSize = null;
            _step = -1;
        }
    }

    /// <summary>Writes the moments and step counts (to <paramref name="path"/>.partial, then renamed into place).</summary>
    public void Save(string path)
    {
        string partial = path + ".partial";
        using (var writer = new BinaryWriter(File.Create(partial)))
        {
            writer.Write(Magic); // raw bytes, no length prefix: a foreign file cannot claim a huge string
            writer.Write(_groups.Count);
            foreach (var group in _groups)
            {
                writer.Write(group.Parameters.Count);
                for (int i = 0; i < group.Parameters.Count; i++)
                {
                    var state = group.States[i];
                    writer.Write(state?.Step ?? 0L);
                    if (state is not null)
                    {
                        state.ExpAvg.Save(writer);
                        state.ExpAvgSq.Save(writer);
                    }
                }
            }
        }

        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Reads what <see cref="Save"/> wrote for the same parameter groups; anything else is a <see cref="ModelException"/>.</summary>
    public void Load(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new ModelException(path, "not an optimiser state written by this version (HEADSUP-ADAMW-1); remove the checkpoint or train into another folder");
            }

            int groups = reader.ReadInt32();
            if (groups != _groups.Count)
            {
                throw new ModelException(path, $"optimiser state has {groups} parameter groups, this run has {_groups.Count}");
            }

            foreach (var group in _groups)
            {
                int count = reader.ReadInt32();
                if (count != group.Parameters.Count)
                {
                    throw new ModelException(path, $"optimiser state has a group of {count} parameters, this run's has {group.Parameters.Count}");
                }

                for (int i = 0; i < count; i++)
                {
                    long step = reader.ReadInt64();
                    group.States[i]?.Dispose();
                    group.States[i] = null;
                    if (step > 0)
                    {
                        var state = new MomentState(group.Parameters[i]) { Step = step };
                        group.States[i] = state;
                        state.ExpAvg.Load(reader);
                        state.ExpAvgSq.Load(reader);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new ModelException(path, $"optimiser state cannot be read: {ex.Message}", ex);
        }
    }

    public void Dispose()
    {
        foreach (var group in _groups)
        {
            for (int i = 0; i < group.States.Length; i++)
            {
                group.States[i]?.Dispose();
                group.States[i] = null;
            }
        }
    }

    /// <summary>Parameters sharing a learning rate and weight decay.</summary>
    public sealed class ParameterGroup
    {
        internal ParameterGroup(IReadOnlyList<Parameter> parameters, double learningRate, double weightDecay)
        {
            Parameters = parameters;
            InitialLearningRate = learningRate;
            LearningRate = learningRate;
            WeightDecay = weightDecay;
            States = new MomentState?[parameters.Count];
        }

        public IReadOnlyList<Parameter> Parameters { get; }

        public double InitialLearningRate { get; }

        public double LearningRate { get; set; }

        public double WeightDecay { get; }

        internal MomentState?[] States { get; }
    }

    internal sealed class MomentState : IDisposable
    {
        public MomentState(Parameter parameter)
        {
            ExpAvg = zeros_like(parameter).DetachFromDisposeScope();
            ExpAvgSq = zeros_like(parameter).DetachFromDisposeScope();
        }

        public long Step { get; set; }

        public Tensor ExpAvg { get; }

        public Tensor ExpAvgSq { get; }

        public void Dispose()
        {
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
