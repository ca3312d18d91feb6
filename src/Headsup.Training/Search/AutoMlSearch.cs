using Headsup.Models;
using Headsup.Inputs;
using Headsup.Core.Progress;
using System.Diagnostics;
using System.Globalization;
using Headsup.Datasets;
using Headsup.Training;

namespace Headsup.Training.Search;

/// <summary>One point of the search space.</summary>
public sealed record SearchConfig(string Recipe, string Architecture, int Size, double LearningRate, double Augmentation)
{
    /// <summary>Short label for tables.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Architecture} {Recipe} {Size}² lr {LearningRate:0.0e0} aug {Augmentation:0.0}");
}

/// <summary>One training of one configuration at one rung.</summary>
public sealed record Trial(int Id, int Bracket, SearchConfig Config, int Rung, int Epochs, double ValidationAp, double ValidationAuc, double Seconds, bool StoppedOnTime);

/// <summary>The search space and budget.</summary>
public sealed record AutoMlOptions
{
    /// <summary>Wall-time budget for the whole search (like Vertex's node hours).</summary>
    public required TimeSpan Budget { get; init; }

    /// <summary>Recipes searched: the paper's and gray-brain, context (brain-plus only when asked for).</summary>
    public IReadOnlyList<string> Recipes { get; init; } = [InputRecipe.GrayBrain.Name, InputRecipe.E1.Name, InputRecipe.E2.Name, InputRecipe.E3.Name, InputRecipe.E4.Name, InputRecipe.Context.Name];

    public IReadOnlyList<string> Architectures { get; init; } = ["small-cnn", "resnet18", "resnet18-imagenet", "resnet34"];

    public IReadOnlyList<int> Sizes { get; init; } = [128, 192, 256];

    /// <summary>Learning rates are drawn log-uniformly in this range.</summary>
    public (double Min, double Max) LearningRate { get; init; } = (1e-4, 3e-3);

    public IReadOnlyList<double> Augmentations { get; init; } = [0.0, 0.5, 1.0];

    /// <summary>Configurations at the first rung.</summary>
    public int Candidates { get; init; } = 9;

    /// <summary>Keep 1/Eta of the configurations at each rung; epochs grow by Eta.</summary>
    public int Eta { get; init; } = 3;

    /// <summary>Epochs at the first rung.</summary>
    public int MinEpochs { get; init; } = 1;

    public int Seed { get; init; } = 1;

    public int BatchSize { get; init; } = 16;

    public double SyntheticPositivesPerNegative { get; init; }

    public double ValidationFraction { get; init; } = 0.2;
}

/// <summary>One trial to run: its number, bracket and rung, the configuration and how many epochs to train.</summary>
public sealed record TrialRequest(int Id, int Bracket, int Rung, SearchConfig Config, int Epochs);

/// <summary>What one trial gave: epochs run, the best validation AP (and the AUC at that epoch), time, whether the budget cut it short.</summary>
public sealed record TrialResult(int Epochs, double ValidationAp, double ValidationAuc, double Seconds, bool StoppedOnTime);

/// <summary>What the search found.</summary>
public sealed record AutoMlResult(IReadOnlyList<Trial> Leaderboard, Trial Best, TrainingResult BestModel, TimeSpan Elapsed);

/// <summary>
/// Successive halving within a time budget, repeated in new brackets (as Hyperband does) while budget remains: draw <see cref="AutoMlOptions.Candidates"/> configurations (recipe,
/// architecture and pretraining, input size, learning rate, augmentation), train each for a few epochs, keep the best
/// 1/η by validation AP, train those η times longer, and so on until one is left or the budget is spent. Recipes that
/// need Hounsfield units are left out when the data has display-windowed images. The data is split by patient once;
/// inputs are prepared once per (recipe, size). The best trial's network becomes a calibrated model package.
/// </summary>
public static class AutoMlSearch
{
    /// <summary>Runs the search and writes the best package to <paramref name="packageDirectory"/>.</summary>
    public static AutoMlResult Run(IReadOnlyList<LabeledSample> samples, IReadOnlyList<string> sources, AutoMlOptions options, string packageDirectory, ITrainingObserver observer, Action<Trial>? onTrial = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observer);
        var clock = Stopwatch.StartNew();
        bool hasDisplay = samples.Any(s => s.Format != ImageFormat.Dicom);
        var recipes = options.Recipes.Where(r => !hasDisplay || !InputRecipe.Parse(r).NeedsHu).ToList();
        if (recipes.Count == 0)
        {
            throw new ModelException("no recipe in the search space works on display-windowed images (PNG/JPEG); include gray-brain");
        }

        var split = PatientSplitter.Split(samples, options.ValidationFraction, options.Seed);
        var caches = new Dictionary<(string, int), (InputCache Train, InputCache Validation)>();
        var problems = new List<SampleProblem>();
        (Trial Trial, TrainingOutcome Outcome, TrainingOptions Options, InputCache Train, InputCache Validation)? best = null;
        (TrainingOutcome Outcome, TrainingOptions Options, InputCache Train, InputCache Validation)? last = null;
        TrialResult Train(TrialRequest request, CancellationToken token)
        {
            var config = request.Config;
            if (!caches.TryGetValue((config.Recipe, config.Size), out var data))
            {
                var trainingOptions0 = Options(config, options, request.Epochs, options.Budget - clock.Elapsed);
                data = TrainingRun.Prepare(split.Train, split.Validation, trainingOptions0.InputSpec(config.Recipe, config.Size), trainingOptions0, observer, problems, token);
                caches[(config.Recipe, config.Size)] = data;
            }

            var trainingOptions = Options(config, options, request.Epochs, options.Budget - clock.Elapsed);
            observer.Stage($"bracket {request.Bracket}, rung {request.Rung}, trial {request.Id}: {config}, {request.Epochs} epochs", 0);
            var outcome = new Trainer(trainingOptions).Train(data.Train, data.Validation, new SyncProgress<TrainingProgress>(observer.Training), cancellationToken: token);
            last = (outcome, trainingOptions, data.Train, data.Validation);
            return new TrialResult(outcome.History.Count, outcome.BestValidationAp, outcome.History.Where(h => h.Epoch == outcome.BestEpoch).Select(h => h.ValidationAuc).FirstOrDefault(double.NaN), outcome.Seconds, outcome.StoppedOnTime);
        }

        void Keep(Trial trial)
        {
            onTrial?.Invoke(trial);
            var (outcome, trainingOptions, train, validation) = last!.Value;
            if (best is null || IsBetter(trial, best.Value.Trial))
            {
                best?.Outcome.Network.Dispose();
                best = (trial, outcome, trainingOptions, train, validation);
            }
            else
            {
                outcome.Network.Dispose();
            }
        }

        var trials = Schedule(options, recipes, Train, () => clock.Elapsed, Keep, cancellationToken);
        if (best is null)
        {
            throw new ModelException($"the budget ({options.Budget}) ended before any trial finished; give more time");
        }

        var (bestTrial, bestOutcome, bestOptions, bestTrain, bestValidation) = best.Value;
        var request = new TrainingRequest
        {
            Samples = split.Train,
            Validation = split.Validation,
            Sources = sources,
            Options = bestOptions with { TimeLimit = null },
            OutputDirectory = packageDirectory,
            ModelName = "headsup-automl",
        };
        var model = TrainingRun.Finish(request, bestOptions, split.Train, split.Validation, bestTrain, bestValidation, bestOutcome, problems, observer);
        var leaderboard = trials.OrderByDescending(t => t.Rung).ThenByDescending(t => t.ValidationAp).ToList();
        return new AutoMlResult(leaderboard, bestTrial, model, clock.Elapsed);
    }

    /// <summary>
    /// The schedule of the search without the training: brackets of successive halving while <paramref name="elapsed"/>
    /// is below the budget. Each bracket draws <see cref="AutoMlOptions.Candidates"/> configurations (duplicates dropped)
    /// from <paramref name="recipes"/> and the options' space with a generator seeded by <see cref="AutoMlOptions.Seed"/>,
    /// runs each for <see cref="AutoMlOptions.MinEpochs"/> epochs, keeps the best ⌊n/η⌋ (at least one) by validation AP
    /// (ties: the earlier trial), runs those η times longer, and so on until one configuration is left. No trial starts
    /// once the budget is spent; a running one finishes. <paramref name="runTrial"/> trains one configuration (the real
    /// search trains a network; tests give hand-made results); <paramref name="onTrial"/> sees each trial as it ends.
    /// </summary>
    /// <returns>Every trial, in the order they ran.</returns>
    public static IReadOnlyList<Trial> Schedule(AutoMlOptions options, IReadOnlyList<string> recipes, Func<TrialRequest, CancellationToken, TrialResult> runTrial, Func<TimeSpan> elapsed, Action<Trial>? onTrial = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(recipes);
        ArgumentNullException.ThrowIfNull(runTrial);
        ArgumentNullException.ThrowIfNull(elapsed);
        var random = new Random(options.Seed);
        var trials = new List<Trial>();
        for (int bracket = 1; elapsed() < options.Budget; bracket++)
        {
            int before = trials.Count;
            int rung = 0;
            int epochs = options.MinEpochs;
            var survivors = Enumerable.Range(0, options.Candidates).Select(_ => Draw(random, options, recipes)).Distinct().ToList();
            while (survivors.Count > 0)
            {
                var rungResults = new List<(SearchConfig Config, Trial Trial)>();
                foreach (var config in survivors)
                {
                    var remaining = options.Budget - elapsed();
                    if (remaining <= TimeSpan.Zero)
                    {
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    var result = runTrial(new TrialRequest(trials.Count + 1, bracket, rung, config, epochs), cancellationToken);
                    var trial = new Trial(trials.Count + 1, bracket, config, rung, result.Epochs, result.ValidationAp, result.ValidationAuc, result.Seconds, result.StoppedOnTime);
                    trials.Add(trial);
                    onTrial?.Invoke(trial);
                    rungResults.Add((config, trial));
                }

                if (rungResults.Count <= 1 || elapsed() >= options.Budget)
                {
                    break; // this bracket is done: one configuration trained longest, or no time left
                }

                int keep = Math.Max(1, rungResults.Count / options.Eta);
                survivors = rungResults.OrderByDescending(r => r.Trial.ValidationAp).Take(keep).Select(r => r.Config).ToList();
                rung++;
                epochs *= options.Eta;
            }

            if (trials.Count == before)
            {
                break; // the budget could not start another trial
            }
        }

        return trials;
    }

    /// <summary>The trial the search would package: the first trial no later one <see cref="IsBetter"/> than (null when none ran).</summary>
    public static Trial? Best(IEnumerable<Trial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        Trial? best = null;
        foreach (var trial in trials)
        {
            if (best is null || IsBetter(trial, best))
            {
                best = trial;
            }
        }

        return best;
    }

    /// <summary>
    /// A trial with a validation AP beats one without (NaN: e.g. a diverged network); then a trial at a higher rung
    /// (trained longer after surviving) beats one at a lower rung; then validation AP decides.
    /// </summary>
    private static bool IsBetter(Trial candidate, Trial current)
    {
        bool scored = !double.IsNaN(candidate.ValidationAp);
        if (scored != !double.IsNaN(current.ValidationAp))
        {
            return scored;
        }

        return candidate.Rung > current.Rung || (candidate.Rung == current.Rung && candidate.ValidationAp > current.ValidationAp);
    }

    private static TrainingOptions Options(SearchConfig config, AutoMlOptions options, int epochs, TimeSpan remaining) => new()
    {
        Recipe = config.Recipe,
        Architecture = config.Architecture,
        Size = config.Size,
        LearningRate = config.LearningRate,
        Augmentation = config.Augmentation,
        Epochs = epochs,
        Patience = Math.Max(2, epochs),
        BatchSize = options.BatchSize,
        Seed = options.Seed,
        SyntheticPositivesPerNegative = options.SyntheticPositivesPerNegative,
        ValidationFraction = options.ValidationFraction,
        TimeLimit = remaining,
    };

    private static SearchConfig Draw(Random random, AutoMlOptions options, IReadOnlyList<string> recipes)
    {
        double logMin = Math.Log(options.LearningRate.Min), logMax = Math.Log(options.LearningRate.Max);
        double lr = Math.Exp(logMin + (random.NextDouble() * (logMax - logMin)));
        lr = double.Parse(lr.ToString("0.0e0", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return new SearchConfig(
            recipes[random.Next(recipes.Count)],
            options.Architectures[random.Next(options.Architectures.Count)],
            options.Sizes[random.Next(options.Sizes.Count)],
            lr,
            options.Augmentations[random.Next(options.Augmentations.Count)]);
    }
}
