using Headsup.Models;
using System.Diagnostics;
using Headsup.Datasets;
using Headsup.Evaluation.Metrics;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>Where training is: reported after every step and every epoch.</summary>
public sealed record TrainingProgress
{
    public required int Epoch { get; init; }

    public required int Epochs { get; init; }

    public required int Step { get; init; }

    public required int StepsPerEpoch { get; init; }

    /// <summary>Running mean training loss of this epoch.</summary>
    public required double Loss { get; init; }

    /// <summary>Validation average precision after the last finished epoch (NaN before the first).</summary>
    public double ValidationAp { get; init; } = double.NaN;

    /// <summary>Best validation AP so far.</summary>
    public double BestValidationAp { get; init; } = double.NaN;

    /// <summary>True when this report closes an epoch.</summary>
    public bool EpochDone { get; init; }
}

/// <summary>One epoch's record.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationAp, double ValidationAuc, double Seconds);

/// <summary>What a finished training run gives back.</summary>
public sealed record TrainingOutcome
{
    /// <summary>The network with the best validation weights, in eval mode.</summary>
    public required ClassifierNetwork Network { get; init; }

    /// <summary>Output names.</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    public required IReadOnlyList<EpochRecord> History { get; init; }

    public required int BestEpoch { get; init; }

    public required double BestValidationAp { get; init; }

    /// <summary>Raw validation logits (any) of the best weights, in the validation cache's order.</summary>
    public required double[] ValidationLogits { get; init; }

    public required double Seconds { get; init; }

    /// <summary>True when training stopped on the time limit rather than on epochs or patience.</summary>
    public bool StoppedOnTime { get; init; }

    /// <summary>
    /// The epochs whose end-of-epoch weights were averaged into <see cref="Network"/>
    /// (<see cref="TrainingOptions.AverageFromEpoch"/>); empty when the best epoch's weights were kept.
    /// </summary>
    public IReadOnlyList<int> AveragedEpochs { get; init; } = [];

    /// <summary>The networks averaged into <see cref="Network"/> (a model soup, <see cref="TrainingOptions.Soup"/>); empty for one network.</summary>
    public IReadOnlyList<SoupMemberRecord> SoupMembers { get; init; } = [];
}

/// <summary>
/// Trains a <see cref="ClassifierNetwork"/> on an <see cref="InputCache"/>: AdamW, one-epoch linear warm-up then
/// cosine decay, BCE-with-logits on any (positive class weighted to balance) plus masked subtype losses, batch
/// augmentation, validation AP after every epoch, early stopping with patience, the best weights kept (or, with
/// <see cref="TrainingOptions.AverageFromEpoch"/>, the mean of the weights of every epoch from that one on). A checkpoint
/// (weights, optimiser, history) after each epoch allows <c>resume</c>. The network starts from ImageNet or random
/// weights, or, when fine-tuning, from a copy of a parent package's (<see cref="FineTuning"/>).
/// </summary>
public sealed class Trainer
{
    private readonly TrainingOptions _options;
    private readonly ModelPackage? _parent;

    /// <summary>A trainer for <paramref name="options"/>, starting from ImageNet or random weights.</summary>
    public Trainer(TrainingOptions options)
        : this(options, null)
    {
    }

    /// <summary>
    /// A trainer for <paramref name="options"/> that starts from a copy of <paramref name="parent"/>'s weights and keeps
    /// its outputs (null = ImageNet or random weights); the parent's architecture must be the options'. The parent is
    /// only read, and stays the caller's to dispose.
    /// </summary>
    public Trainer(TrainingOptions options, ModelPackage? parent)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Problem is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _parent = parent;
    }

    /// <summary>Trains; <paramref name="checkpointDirectory"/> (optional) receives a checkpoint after each epoch and, with <paramref name="resume"/>, is read first.</summary>
    /// <remarks>
    /// A resumed run goes on from the checkpoint's epoch with the same draws (order, augmentation, lesions are seeded by
    /// epoch), so it ends with the weights the uninterrupted run would, except that hard-negative mining's per-negative
    /// probabilities start afresh (and, with fresh lesions, a run resumed after its last epoch leaves the cache with the
    /// first draw, not the last); a run that had already stopped for patience is not trained further; a run past the
    /// start of weight averaging cannot resume (the running mean is not in the checkpoint; <see cref="ModelException"/>).
    /// With <see cref="TrainingOptions.SyntheticRefresh"/> the training cache's synthetic positives are replaced by a
    /// fresh draw before every epoch after the first (the cache is changed); <paramref name="observer"/> hears about it.
    /// </remarks>
    public TrainingOutcome Train(InputCache train, InputCache validation, IProgress<TrainingProgress>? progress = null, string? checkpointDirectory = null, bool resume = false, ITrainingObserver? observer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        var drawObserver = observer ?? SilentObserver.Instance;
        if (train.Positives == 0 || train.Positives == train.Count)
        {
            throw new ModelException("training data has only one class (" + train.Positives + " positives of " + train.Count + "); both are needed");
        }

        if (_parent is not null && (_parent.Manifest.Architecture != _options.Architecture || _parent.Manifest.Input.Channels != train.Channels || _parent.Manifest.Input.Size != train.Spec.Size))
        {
            throw new ModelException(_parent.Location, $"cannot fine-tune: the package is {_parent.Manifest.Architecture} taking {_parent.Manifest.Input.Channels} channel(s) at {_parent.Manifest.Input.Size}², the run {_options.Architecture} with {train.Channels} at {train.Spec.Size}²");
        }

        torch.set_num_threads(Math.Max(1, _options.Threads));
        torch.manual_seed(_options.Seed);
        var clock = Stopwatch.StartNew();
        bool multi = _options.MultiLabel && train.Items.Any(i => i.Any == 1 && i.Subtypes.Any(s => s is not null));
        var outputs = _parent is not null ? _parent.Manifest.Outputs.ToList()
            : multi ? new List<string> { "any" }.Concat(HemorrhageLabels.Subtypes).ToList() : new List<string> { "any" };
        var network = _parent is not null
            ? FineTuning.CopyNetwork(_parent)
            : NetworkFactory.Create(_options.Architecture, train.Channels, outputs.Count, pretrained: NetworkFactory.HasPretrainedWeights(_options.Architecture));
        using var optimizer = CreateOptimizer(network);
        var checkpoint = checkpointDirectory is null ? null : new Checkpoint(checkpointDirectory, _parent?.Manifest.Weights.Sha256);
        var history = new List<EpochRecord>();
        int startEpoch = 1;
        double bestAp = double.NegativeInfinity;
        int bestEpoch = 0;
        Dictionary<string, Tensor>? best = null;
        if (resume && checkpoint is not null && checkpoint.Exists)
        {
            var state = checkpoint.Restore(network, optimizer, _options);
            history.AddRange(state.History);
            startEpoch = state.Epoch + 1;
            bestAp = state.BestAp;
            bestEpoch = state.BestEpoch;
            if (_options.AverageFromEpoch > 0 && state.Epoch >= _options.AverageFromEpoch)
            {
                throw new ModelException(checkpointDirectory!, $"the checkpoint is at epoch {state.Epoch}, after weight averaging began (epoch {_options.AverageFromEpoch}); checkpoints do not keep the running mean, so this run cannot resume. Remove the checkpoint to train again.");
            }

            best = checkpoint.LoadBest(network);
            if (state.Epoch - bestEpoch >= _options.Patience)
            {
                // The run had stopped: its validation AP had not improved for `patience` epochs. Another epoch would
                // give a result the uninterrupted run never had.
                drawObserver.Stage($"checkpoint: training had stopped at epoch {state.Epoch} (best epoch {bestEpoch}, patience {_options.Patience}); not trained further", 0);
                startEpoch = _options.Epochs + 1;
            }
        }

        int stepsPerEpoch = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
        int totalSteps = stepsPerEpoch * _options.Epochs;
        double positives = train.Positives;
        using var posWeight = tensor(new float[] { (float)Math.Clamp((train.Count - positives) / positives, 0.2, 20) });
        bool stoppedOnTime = false;
        using var average = new WeightAverage();
        var averagedEpochs = new List<int>();
        var lastProbability = new Dictionary<CachedInput, double>(ReferenceEqualityComparer.Instance); // hard-negative mining
        for (int epoch = startEpoch; epoch <= _options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            if (epoch > 1 && _options.SyntheticRefresh && _options.SyntheticPositivesPerNegative > 0)
            {
                train.RemoveSynthetic();
                SyntheticPositives.Add(train, _options.SyntheticPositivesPerNegative, _options.Seed, drawObserver, cancellationToken, round: epoch);
                if (_options.SyntheticMimicsPerNegative > 0)
                {
                    SyntheticPositives.AddMimics(train, _options.SyntheticMimicsPerNegative, _options.Seed, drawObserver, cancellationToken, round: epoch);
                }

                stepsPerEpoch = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
            }

            network.train();
            var recipe = Headsup.Inputs.InputRecipe.Parse(_options.Recipe);
            using var augmenter = new Augmenter(_options.Augmentation, _options.Seed * 1000L + epoch, _options.WindowAugmentation, _options.DisplayDropout, recipe.DisplayChannelScales, _options.DisplayBone != Headsup.Inputs.DisplayBoneMode.Off ? recipe.DisplayBoneValues : null, _options.DisplayBone == Headsup.Inputs.DisplayBoneMode.SaturatedSkull, _options.DisplayBoneFraction);
            var order = EpochOrder(train, new Random(unchecked((_options.Seed * 1_000_003) + epoch)), lastProbability); // not HashCode.Combine: that is randomised per process
            double lossSum = 0;
            for (int step = 0; step < stepsPerEpoch; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int globalStep = ((epoch - 1) * stepsPerEpoch) + step;
                SetLearningRate(optimizer, globalStep, stepsPerEpoch, totalSteps);
                int start = Math.Min(step * _options.BatchSize, order.Length); // a fresh lesion draw may change the count by a few
                var indices = order.AsSpan(start, Math.Min(_options.BatchSize, order.Length - start));
                if (indices.Length < 2)
                {
                    continue; // BatchNorm needs two samples
                }

                using var scope = NewDisposeScope();
                var x = augmenter.Apply(train.Inputs(indices), _options.DisplayDropoutRealOnly ? SyntheticFlags(train, indices) : null);
                var (targets, mask) = train.Targets(indices, outputs.Count);
                var logits = network.forward(x);
                var loss = Loss(logits, targets, mask, posWeight);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                lossSum += loss.item<float>();
                if (_options.HardNegatives > 0)
                {
                    Remember(lastProbability, train, indices, logits);
                }
                progress?.Report(new TrainingProgress
                {
                    Epoch = epoch, Epochs = _options.Epochs, Step = step + 1, StepsPerEpoch = stepsPerEpoch, Loss = lossSum / (step + 1),
                    BestValidationAp = bestAp == double.NegativeInfinity ? double.NaN : bestAp,
                    ValidationAp = history.Count > 0 ? history[^1].ValidationAp : double.NaN,
                });
            }

            var logitsVal = CachePredictor.Logits(network, validation, _options.BatchSize);
            var labels = validation.Items.Select(i => i.Any).ToArray();
            var scores = logitsVal.Select(l => (double)l[0]).ToArray();
            double ap = RankingMetrics.AveragePrecision(scores, labels);
            double auc = RankingMetrics.RocAuc(scores, labels);
            var record = new EpochRecord(epoch, lossSum / Math.Max(1, stepsPerEpoch), ap, auc, epochClock.Elapsed.TotalSeconds);
            history.Add(record);
            double apForSelection = double.IsNaN(ap) ? -record.TrainLoss : ap;
            if (apForSelection > bestAp)
            {
                bestAp = apForSelection;
                bestEpoch = epoch;
                DisposeAll(best);
                best = Snapshot(network);
                checkpoint?.SaveBest(network, epoch);
            }

            if (_options.AverageFromEpoch > 0 && epoch >= _options.AverageFromEpoch)
            {
                average.Add(network);
                averagedEpochs.Add(epoch);
            }

            checkpoint?.Save(network, optimizer, _options, new CheckpointState(epoch, bestAp, bestEpoch, history));
            progress?.Report(new TrainingProgress
            {
                Epoch = epoch, Epochs = _options.Epochs, Step = stepsPerEpoch, StepsPerEpoch = stepsPerEpoch, Loss = record.TrainLoss,
                ValidationAp = ap, BestValidationAp = bestAp, EpochDone = true,
            });
            if (epoch - bestEpoch >= _options.Patience)
            {
                break;
            }

            if (_options.TimeLimit is TimeSpan limit && clock.Elapsed + epochClock.Elapsed > limit)
            {
                stoppedOnTime = epoch < _options.Epochs;
                break;
            }
        }

        if (averagedEpochs.Count > 0)
        {
            average.CopyTo(network);
            drawObserver.Stage($"weights averaged over epochs {averagedEpochs[0]}–{averagedEpochs[^1]} ({averagedEpochs.Count}); the best single epoch was {bestEpoch}", 0);
        }
        else if (best is not null)
        {
            Restore(network, best);
        }

        DisposeAll(best);

        network.eval();
        var finalLogits = CachePredictor.Logits(network, validation, _options.BatchSize).Select(l => (double)l[0]).ToArray();
        return new TrainingOutcome
        {
            Network = network,
            Outputs = outputs,
            History = history,
            BestEpoch = bestEpoch,
            BestValidationAp = bestAp,
            ValidationLogits = finalLogits,
            Seconds = clock.Elapsed.TotalSeconds,
            StoppedOnTime = stoppedOnTime,
            AveragedEpochs = averagedEpochs,
        };
    }

    /// <summary>
    /// The epoch's draw: a shuffle, or (with source balancing or hard-negative mining) a draw with replacement weighted
    /// by <see cref="DrawWeights"/>.
    /// </summary>
    private int[] EpochOrder(InputCache train, Random random, Dictionary<CachedInput, double> lastProbability)
    {
        var order = Enumerable.Range(0, train.Count).ToArray();
        var weights = DrawWeights(train, _options, lastProbability);
        if (weights is null)
        {
            random.Shuffle(order);
            return order;
        }

        var cumulative = new double[train.Count];
        double total = 0;
        for (int i = 0; i < train.Count; i++)
        {
            total += weights[i];
            cumulative[i] = total;
        }

        for (int i = 0; i < order.Length; i++)
        {
            int pick = Array.BinarySearch(cumulative, random.NextDouble() * total);
            order[i] = Math.Min(pick < 0 ? ~pick : pick, train.Count - 1);
        }

        return order;
    }

    /// <summary>
    /// Each input's weight in an epoch's draw with replacement: count(source)^−b (<see cref="TrainingOptions.SourceBalance"/>),
    /// times 1 + h·p for a real negative the network last scored p (<see cref="TrainingOptions.HardNegatives"/>; inputs
    /// not scored yet keep 1). Null when neither is on: the epoch is a plain shuffle.
    /// </summary>
    public static double[]? DrawWeights(InputCache train, TrainingOptions options, IReadOnlyDictionary<CachedInput, double> lastProbability)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lastProbability);
        bool mining = options.HardNegatives > 0 && lastProbability.Count > 0;
        if (options.SourceBalance <= 0 && !mining)
        {
            return null;
        }

        var counts = train.Items.GroupBy(i => i.Sample.Source, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var weights = new double[train.Count];
        for (int i = 0; i < train.Count; i++)
        {
            var item = train.Items[i];
            double weight = options.SourceBalance > 0 ? Math.Pow(counts[item.Sample.Source], -options.SourceBalance) : 1;
            if (mining && item.Any == 0 && !item.Synthetic && lastProbability.TryGetValue(item, out double p))
            {
                weight *= 1 + (options.HardNegatives * p);
            }

            weights[i] = weight;
        }

        return weights;
    }

    private static void Remember(Dictionary<CachedInput, double> lastProbability, InputCache train, ReadOnlySpan<int> indices, Tensor logits)
    {
        using var probabilities = logits[.., 0].detach().sigmoid();
        var values = probabilities.data<float>().ToArray();
        for (int i = 0; i < indices.Length; i++)
        {
            var item = train.Items[indices[i]];
            if (item.Any == 0 && !item.Synthetic)
            {
                lastProbability[item] = values[i];
            }
        }
    }

    /// <summary>Which inputs of a batch are synthetic positives (kept in HU by display dropout for real inputs only).</summary>
    private static bool[] SyntheticFlags(InputCache train, ReadOnlySpan<int> indices)
    {
        var flags = new bool[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            flags[i] = train.Items[indices[i]].Synthetic;
        }

        return flags;
    }

    private static Tensor Loss(Tensor logits, Tensor targets, Tensor mask, Tensor posWeight)
    {
        var anyLoss = nn.functional.binary_cross_entropy_with_logits(logits[.., 0], targets[.., 0], null, nn.Reduction.Mean, posWeight);
        if (logits.shape[1] == 1)
        {
            return anyLoss;
        }

        var sub = nn.functional.binary_cross_entropy_with_logits(logits[.., 1..], targets[.., 1..], null, nn.Reduction.None, null);
        var known = mask[.., 1..];
        var subLoss = (sub * known).sum() / known.sum().Plus(tensor(1e-6f));
        return anyLoss.Plus(subLoss.mul(tensor(0.5f)));
    }

    private AdamWOptimizer CreateOptimizer(ClassifierNetwork network)
    {
        var headNames = new HashSet<string>(network.HeadParameterNames, StringComparer.Ordinal);
        var named = network.named_parameters().ToList();
        var head = named.Where(p => headNames.Contains(p.name)).Select(p => p.parameter).ToList();
        var backbone = named.Where(p => !headNames.Contains(p.name)).Select(p => p.parameter).ToList();
        double backboneFactor = network.IsPretrained || _parent is not null ? _options.BackboneLearningRateFactor : 1.0;
        return new AdamWOptimizer(
        [
            (backbone, _options.LearningRate * backboneFactor, _options.WeightDecay),
            (head, _options.LearningRate, _options.WeightDecay),
        ]);
    }

    private static void SetLearningRate(AdamWOptimizer optimizer, int step, int stepsPerEpoch, int totalSteps)
    {
        double warmup = Math.Max(1, stepsPerEpoch);
        double factor = step < warmup
            ? (step + 1) / warmup
            : 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / Math.Max(1, totalSteps - warmup)));
        foreach (var group in optimizer.Groups)
        {
            group.LearningRate = group.InitialLearningRate * Math.Max(factor, 0.02);
        }
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in module.state_dict())
        {
            copy[name] = value.detach().clone();
        }

        return copy;
    }

    private static void Restore(nn.Module module, Dictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, value) in module.state_dict())
        {
            value.copy_(state[name]);
        }
    }

    private static void DisposeAll(Dictionary<string, Tensor>? state)
    {
        if (state is null)
        {
            return;
        }

        foreach (var t in state.Values)
        {
            t.Dispose();
        }
    }

    private sealed class SilentObserver : ITrainingObserver
    {
        public static readonly SilentObserver Instance = new();

        public void Stage(string name, int total)
        {
        }

        public void Advance(int done)
        {
        }

        public void Training(TrainingProgress progress)
        {
        }

        public void Problem(SampleProblem problem)
        {
        }
    }
}
