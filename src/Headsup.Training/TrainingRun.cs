using Headsup.Models;
using Headsup.Inputs;
using Headsup.Core.Progress;
using System.Globalization;
using Headsup.Datasets;
using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Metrics;
using Headsup.Models.Packaging;

namespace Headsup.Training;

/// <summary>Receives what a training run does, for progress bars and logs.</summary>
public interface ITrainingObserver
{
    /// <summary>A new stage starts (e.g. "preparing inputs"); <paramref name="total"/> units of work, 0 when unknown.</summary>
    void Stage(string name, int total);

    /// <summary>Units done in the current stage.</summary>
    void Advance(int done);

    /// <summary>Training progress.</summary>
    void Training(TrainingProgress progress);

    /// <summary>A sample that was left out, and why.</summary>
    void Problem(SampleProblem problem);
}

/// <summary>What to train on and where the package goes.</summary>
public sealed record TrainingRequest
{
    /// <summary>
    /// Training and validation samples: split here by patient, unless <see cref="Validation"/> is given or every
    /// sample carries a train/validation split (a manifest).
    /// </summary>
    public required IReadOnlyList<LabeledSample> Samples { get; init; }

    /// <summary>A fixed validation set; null = split <see cref="Samples"/> by patient.</summary>
    public IReadOnlyList<LabeledSample>? Validation { get; init; }

    /// <summary>Where the data came from; the package records the samples' source names and counts instead of paths.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    public required TrainingOptions Options { get; init; }

    /// <summary>Package folder to write; null = do not write a package.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Checkpoint folder; null = none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Resume from the checkpoint when there is one.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Fine-tuning: the package whose weights start the run instead of ImageNet or random ones (null = none). Its
    /// architecture, recipe and size must be the options' (<see cref="FineTuning.Resolve"/> makes them so); its outputs
    /// are kept, and the new package records it (<see cref="TrainingRecord.Parent"/>). Only read; the caller disposes it.
    /// </summary>
    public ModelPackage? Parent { get; init; }

    /// <summary>Name written into the package.</summary>
    public string ModelName { get; init; } = "headsup-ich";

    /// <summary>Version written into the package.</summary>
    public string ModelVersion { get; init; } = "1.0.0";
}

/// <summary>A finished run.</summary>
public sealed record TrainingResult
{
    public required TrainingOutcome Outcome { get; init; }

    public required ModelManifest Manifest { get; init; }

    /// <summary>Validation labels and calibrated probabilities of the best weights.</summary>
    public required IReadOnlyList<(string File, int Label, double Probability)> Validation { get; init; }

    public required IReadOnlyList<SampleProblem> Problems { get; init; }
}

/// <summary>
/// From labelled samples to a model package: patient-level split, input preparation, synthetic positives by lesion
/// insertion (training side only; validation stays real), training, Platt calibration and an operating point on the
/// validation set, validation metrics, and the package with the exact training manifest inside.
/// </summary>
public static class TrainingRun
{
    /// <summary>Runs the whole thing.</summary>
    public static TrainingResult Run(TrainingRequest request, ITrainingObserver observer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var options = request.Options;
        int studyOnly = request.Samples.Concat(request.Validation ?? []).Count(s => !s.AnyKnown);
        if (studyOnly > 0)
        {
            observer.Stage($"left out {studyOnly} samples that have a study label but no slice label", 0);
        }

        var samples = request.Samples.Where(s => s.AnyKnown).ToList();
        IReadOnlyList<LabeledSample> trainSamples, validationSamples;
        if (request.Validation is not null)
        {
            trainSamples = samples;
            validationSamples = request.Validation.Where(s => s.AnyKnown).ToList();
        }
        else if (samples.All(s => s.Split is "train" or "validation") && samples.Any(s => s.Split == "train") && samples.Any(s => s.Split == "validation"))
        {
            // A manifest from `headsup dataset` (or a fold of it) fixes the split: keep it.
            trainSamples = samples.Where(s => s.Split == "train").ToList();
            validationSamples = samples.Where(s => s.Split == "validation").ToList();
        }
        else
        {
            if (options.GroupNearDuplicates)
            {
                observer.Stage("looking for near-duplicate images among those without a patient id", samples.Count(NearDuplicates.IsCandidate));
                var grouping = NearDuplicates.Group(samples, options.NearDuplicateThreshold, SampleImages.Load, new SyncProgress<int>(observer.Advance), cancellationToken);
                observer.Stage(grouping.Summary, 0);
                samples = grouping.Samples.ToList();
            }

            var split = PatientSplitter.Split(samples, options.ValidationFraction, options.Seed);
            trainSamples = split.Train;
            validationSamples = split.Validation;
        }

        var problems = new List<SampleProblem>();
        var spec = options.InputSpec();
        // Everything after the split (lesion insertion, initialisation, order, augmentation) draws from the training seed.
        var memberOptions = options with { Seed = options.EffectiveTrainingSeed };
        var (train, validation) = Prepare(trainSamples, validationSamples, spec, memberOptions, observer, problems, cancellationToken);

        var start = request.Parent is { } parent ? $"fine-tuning {parent.Manifest.Name} {parent.Manifest.Version}" : $"training {options.Architecture}";
        observer.Stage($"{start} on {train.Count} inputs ({train.Positives} positive), validating on {validation.Count} ({validation.Positives} positive)", 0);
        var progress = new SyncProgress<TrainingProgress>(observer.Training);
        var outcome = options.Soup <= 1
            ? new Trainer(memberOptions, request.Parent).Train(train, validation, progress, request.CheckpointDirectory, request.Resume, observer, cancellationToken)
            : TrainSoup(request, options, train, validation, progress, observer, cancellationToken);

        return Finish(request, options, trainSamples, validationSamples, train, validation, outcome, problems, observer);
    }

    /// <summary>
    /// Calibrates on validation, picks the operating point, computes validation metrics and (when
    /// <see cref="TrainingRequest.OutputDirectory"/> is set) writes the package with its training manifest.
    /// </summary>
    public static TrainingResult Finish(TrainingRequest request, TrainingOptions options, IReadOnlyList<LabeledSample> trainSamples, IReadOnlyList<LabeledSample> validationSamples, InputCache train, InputCache validation, TrainingOutcome outcome, IReadOnlyList<SampleProblem> problems, ITrainingObserver observer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(observer);
        var labels = validation.Items.Select(i => i.Any).ToArray();
        WeightsFile.RoundTrip(outcome.Network, options.Precision);
        // Scored as the package will score (its test-time augmentation), so calibration and operating point fit those scores.
        var storedLogits = CachePredictor.Logits(outcome.Network, validation, augmentation: options.TestTimeAugmentation).Select(l => (double)l[0]).ToArray();
        outcome = outcome with { ValidationLogits = storedLogits };
        var calibration = Calibrate(outcome.ValidationLogits, labels);
        var parent = request.Parent?.Manifest;
        if (parent is not null && !CanCalibrate(labels))
        {
            // Too few validation slices to refit (a small site set): the parent's calibration is the better guess.
            calibration = parent.Calibration with { FittedOn = $"kept from the parent {parent.Name} {parent.Version} ({parent.Calibration.FittedOn}); {calibration.FittedOn}" };
        }

        var probabilities = outcome.ValidationLogits.Select(calibration.Apply).ToArray();
        var (threshold, rule) = ChooseOperatingPoint(probabilities, labels, options.OperatingSensitivity);
        if (parent is not null && labels.Distinct().Count() < 2)
        {
            (threshold, rule) = (parent.Thresholds.OperatingPoint, $"kept from the parent {parent.Name} {parent.Version} ({parent.Thresholds.OperatingPointRule}): validation has one class");
        }

        var metrics = ValidationMetrics(probabilities, labels, threshold);

        var sources = trainSamples.Concat(validationSamples).GroupBy(s => s.Source, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}: {g.Count()} ({g.Count(x => x.Any == 1)} positive)"))
            .ToList();
        ModelManifest manifest = BuildManifest(request with { Sources = sources }, options, train, validation, outcome, calibration, threshold, rule, metrics, "none");
        if (request.OutputDirectory is not null)
        {
            observer.Stage("writing the model package", 0);
            var dataManifestPath = Path.Combine(Path.GetTempPath(), "headsup-training-manifest-" + Guid.NewGuid().ToString("N") + ".json");
            var profilePath = Path.Combine(Path.GetTempPath(), "headsup-input-profile-" + Guid.NewGuid().ToString("N") + ".json");
            try
            {
                observer.Stage("profiling the training inputs (the out-of-distribution reference of detect)", 0);
                var profileProblems = new List<SampleProblem>();
                var profile = Evaluation.InputProfileBuilder.FromCache(outcome.Network, train, $"{request.ModelName} {request.ModelVersion}", profileProblems);
                foreach (var p in profileProblems)
                {
                    observer.Problem(p);
                }

                File.WriteAllText(profilePath, profile.ToJson());
                var splits = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var s in trainSamples)
                {
                    splits[s.File] = "train";
                }

                foreach (var s in validationSamples)
                {
                    splits[s.File] = "validation";
                }

                var dataManifest = DatasetManifest.Create(trainSamples.Concat(validationSamples).DistinctBy(s => s.File), splits, options.Seed);
                dataManifest.Save(dataManifestPath, request.OutputDirectory);
                manifest = manifest with { Training = manifest.Training with { ManifestHash = dataManifest.ContentHash } };
                manifest = ModelPackage.Save(request.OutputDirectory, manifest, outcome.Network, new Dictionary<string, string> { [ModelPackage.TrainingManifestFile] = dataManifestPath, [InputProfile.FileName] = profilePath }, options.Precision);
            }
            finally
            {
                File.Delete(dataManifestPath);
                File.Delete(profilePath);
            }

            if (request.CheckpointDirectory is not null)
            {
                new Checkpoint(request.CheckpointDirectory).Delete();
            }
        }

        var validationRows = validation.Items.Select((item, i) => (item.Sample.File, item.Any, probabilities[i])).ToList();
        return new TrainingResult { Outcome = outcome, Manifest = manifest, Validation = validationRows, Problems = problems };
    }

    /// <summary>
    /// A model soup (<see cref="TrainingOptions.Soup"/>): member k is trained as a single run with training seed
    /// <see cref="TrainingOptions.EffectiveTrainingSeed"/> + k would be (its own lesion draw into the same training
    /// negatives, initialisation, order and augmentation; the same split and validation), then the members' weights are
    /// averaged into the first member's network. A checkpoint directory gets one sub-folder per member. The outcome's
    /// history and best epoch are the first member's; <see cref="TrainingOutcome.SoupMembers"/> lists all. The training
    /// cache is left with the last member's lesion draw (the package's training counts and input profile describe it).
    /// </summary>
    private static TrainingOutcome TrainSoup(TrainingRequest request, TrainingOptions options, InputCache train, InputCache validation, IProgress<TrainingProgress> progress, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        using var soup = new WeightAverage();
        var members = new List<SoupMemberRecord>();
        var aps = new List<double>();
        TrainingOutcome? first = null;
        double seconds = 0;
        for (int k = 0; k < options.Soup; k++)
        {
            var memberOptions = options with { Seed = options.EffectiveTrainingSeed + k };
            if (k > 0)
            {
                train.RemoveSynthetic();
                AddSynthetic(train, memberOptions, observer, cancellationToken);
            }

            observer.Stage(string.Create(CultureInfo.InvariantCulture, $"soup member {k + 1} of {options.Soup} (training seed {memberOptions.Seed})"), 0);
            var checkpoint = request.CheckpointDirectory is null ? null : Path.Combine(request.CheckpointDirectory, $"member-{k + 1}");
            var outcome = new Trainer(memberOptions, request.Parent).Train(train, validation, progress, checkpoint, request.Resume, observer, cancellationToken);
            soup.Add(outcome.Network);
            seconds += outcome.Seconds;
            members.Add(new SoupMemberRecord { TrainingSeed = memberOptions.Seed, Epochs = outcome.History.Count, BestEpoch = outcome.BestEpoch, BestValidationAp = Math.Round(outcome.BestValidationAp, 4) });
            aps.Add(outcome.BestValidationAp);
            if (first is null)
            {
                first = outcome;
            }
            else
            {
                outcome.Network.Dispose();
            }
        }

        soup.CopyTo(first!.Network);
        observer.Stage(string.Create(CultureInfo.InvariantCulture, $"averaged the weights of {options.Soup} networks (validation AP of each: {string.Join(", ", aps.Select(ap => ap.ToString("0.000", CultureInfo.InvariantCulture)))})"), 0);
        return first with { Seconds = seconds, SoupMembers = members };
    }

    /// <summary>Prepares both caches and adds synthetic positives to the training side.</summary>
    public static (InputCache Train, InputCache Validation) Prepare(IReadOnlyList<LabeledSample> trainSamples, IReadOnlyList<LabeledSample> validationSamples, InputSpec spec, TrainingOptions options, ITrainingObserver observer, List<SampleProblem> problems, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(trainSamples);
        ArgumentNullException.ThrowIfNull(validationSamples);
        observer.Stage($"preparing {trainSamples.Count + validationSamples.Count} inputs ({spec.Recipe}, {spec.Size}²)", trainSamples.Count + validationSamples.Count);
        var local = new List<SampleProblem>();
        var train = InputCache.Build(trainSamples, spec, local, new SyncProgress<int>(observer.Advance), cancellationToken);
        var validation = InputCache.Build(validationSamples, spec, local, new SyncProgress<int>(d => observer.Advance(trainSamples.Count + d)), cancellationToken);
        foreach (var p in local)
        {
            observer.Problem(p);
        }

        problems.AddRange(local);
        AddSynthetic(train, options, observer, cancellationToken);
        if (validation.Count == 0)
        {
            throw new ModelException("no validation inputs: the data is too small to split, or every validation sample failed to load");
        }

        return (train, validation);
    }

    /// <summary>Inserts the synthetic positives and bleed mimics the options ask for into the training cache.</summary>
    private static void AddSynthetic(InputCache train, TrainingOptions options, ITrainingObserver observer, CancellationToken cancellationToken)
    {
        if (options.SyntheticPositivesPerNegative > 0)
        {
            var added = SyntheticPositives.Add(train, options.SyntheticPositivesPerNegative, options.Seed, observer, cancellationToken);
            observer.Stage($"added {added} synthetic positives by lesion insertion", 0);
        }

        if (options.SyntheticMimicsPerNegative > 0)
        {
            var added = SyntheticPositives.AddMimics(train, options.SyntheticMimicsPerNegative, options.Seed, observer, cancellationToken);
            observer.Stage($"added {added} synthetic negatives with calcifications (bleed mimics)", 0);
        }
    }

    /// <summary>Platt scaling on validation logits; identity when validation has one class or fewer than 8 samples.</summary>
    public static PlattParameters Calibrate(IReadOnlyList<double> logits, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int positives = labels.Count(l => l == 1);
        if (!CanCalibrate(labels))
        {
            return new PlattParameters { FittedOn = $"not fitted: validation has {labels.Count} samples, {positives} positive" };
        }

        var platt = PlattScaling.Fit(logits.ToArray(), labels.ToArray());
        return new PlattParameters { A = platt.A, B = platt.B, FittedOn = $"validation, {labels.Count} samples ({positives} positive)" };
    }

    /// <summary>Whether <see cref="Calibrate"/> fits on these labels: at least 8, both classes.</summary>
    public static bool CanCalibrate(IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int positives = labels.Count(l => l == 1);
        return labels.Count >= 8 && positives > 0 && positives < labels.Count;
    }

    /// <summary>The threshold reaching <paramref name="sensitivity"/> on validation, kept within [0.05, 0.95]; 0.5 when undefined.</summary>
    public static (double Threshold, string Rule) ChooseOperatingPoint(IReadOnlyList<double> probabilities, IReadOnlyList<int> labels, double sensitivity)
    {
        ArgumentNullException.ThrowIfNull(labels);
        int positives = labels.Count(l => l == 1);
        if (positives == 0 || positives == labels.Count)
        {
            return (0.5, "0.5: validation has one class");
        }

        double threshold = OperatingPoint.ForSensitivity(probabilities.ToArray(), labels.ToArray(), sensitivity).Threshold;
        if (double.IsNaN(threshold) || double.IsInfinity(threshold))
        {
            return (0.5, "0.5: target sensitivity unreachable");
        }

        threshold = Math.Clamp(threshold, 0.05, 0.95);
        return (threshold, $"highest threshold with validation sensitivity ≥ {sensitivity:0.00} (slice level, {labels.Count} slices, {positives} positive)");
    }

    private static Dictionary<string, double?> ValidationMetrics(double[] probabilities, int[] labels, double threshold)
    {
        static double? N(double v) => double.IsNaN(v) ? null : Math.Round(v, 4);
        var at05 = ThresholdMetrics.Compute(probabilities, labels, 0.5);
        var atOp = ThresholdMetrics.Compute(probabilities, labels, threshold);
        return new Dictionary<string, double?>
        {
            ["validation_n"] = labels.Length,
            ["validation_positives"] = labels.Count(l => l == 1),
            ["validation_auc"] = N(RankingMetrics.RocAuc(probabilities, labels)),
            ["validation_average_precision"] = N(RankingMetrics.AveragePrecision(probabilities, labels)),
            ["validation_precision_at_0.5"] = N(at05.Precision),
            ["validation_recall_at_0.5"] = N(at05.Recall),
            ["validation_specificity_at_0.5"] = N(at05.Specificity),
            ["validation_recall_at_operating_point"] = N(atOp.Recall),
            ["validation_specificity_at_operating_point"] = N(atOp.Specificity),
            ["validation_ece"] = N(CalibrationMetrics.ExpectedCalibrationError(probabilities, labels)),
        };
    }

    /// <summary>Why a newly trained package makes no study decision.</summary>
    public const string NotCalibratedDetail = "newly trained: no study threshold has been fitted on real labelled studies yet (run `headsup calibrate-study` with at least 20 real studies of each class); the slice operating point is not a study threshold";

    private static ModelManifest BuildManifest(TrainingRequest request, TrainingOptions options, InputCache train, InputCache validation, TrainingOutcome outcome, PlattParameters calibration, double threshold, string rule, Dictionary<string, double?> metrics, string manifestHash) => new()
    {
        Name = request.ModelName,
        Version = request.ModelVersion,
        CreatedUtc = DateTimeOffset.UtcNow,
        Architecture = options.Architecture,
        TestTimeAugmentation = TestTimeAugmentations.NameOf(options.TestTimeAugmentation),
        Input = new ModelInput { Recipe = options.Recipe, Size = options.Size, Channels = train.Channels, Mask = train.Spec.HeadMask ? ModelInput.HeadMask : null, DisplayBone = Headsup.Inputs.DisplayBone.NameOf(train.Spec.DisplayBoneMode) },
        Outputs = outcome.Outputs,
        Calibration = calibration,
        Thresholds = new ModelThresholds { Default = 0.5, OperatingPoint = threshold, OperatingPointRule = rule },
        // A new package makes no study decision: its slice operating point was chosen on slices (often phantoms), not
        // on real studies, so it would flag nearly every study. `headsup calibrate-study` fits one on real studies.
        Study = new StudyAggregation
        {
            Method = request.Parent?.Manifest.Study.Method ?? "top-k-mean",
            K = request.Parent?.Manifest.Study.K ?? 3,
            Threshold = threshold,
            Calibration = new PlattParameters
            {
                FittedOn = string.Create(CultureInfo.InvariantCulture, $"not fitted: mean of the top {request.Parent?.Manifest.Study.K ?? 3} calibrated slice probabilities")
                    + (request.Parent is null ? string.Empty : " (the parent's study calibration was fitted to its weights, not these; refit with calibrate-study)"),
            },
            Status = StudyCalibrationStatus.InsufficientRealData,
            StatusDetail = NotCalibratedDetail,
        },
        Training = new TrainingRecord
        {
            ManifestHash = manifestHash,
            Sources = request.Sources,
            TrainSamples = train.Count,
            TrainPositives = train.Positives,
            SyntheticPositives = train.Items.Count(i => i.Synthetic && i.Any == 1),
            SyntheticNegatives = train.Items.Count(i => i.Synthetic && i.Any == 0),
            ValidationSamples = validation.Count,
            ValidationPositives = validation.Positives,
            Epochs = outcome.History.Count,
            BestEpoch = outcome.BestEpoch,
            AveragedEpochs = outcome.AveragedEpochs.Count > 0 ? outcome.AveragedEpochs : null,
            Soup = outcome.SoupMembers.Count > 0 ? outcome.SoupMembers : null,
            Seed = options.Seed,
            Options = options.Describe(),
            Seconds = Math.Round(outcome.Seconds, 1),
            Parent = request.Parent is { } parent ? FineTuning.Record(parent.Manifest) : null,
        },
        Metrics = metrics,
        Weights = new WeightsRecord { Sha256 = "pending" },
    };
}
