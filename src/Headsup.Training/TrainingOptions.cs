using System.Globalization;

namespace Headsup.Training;

/// <summary>Everything that decides a training run. Recorded in the package so a run can be repeated.</summary>
public sealed record TrainingOptions
{
    /// <summary>Input recipe (gray-brain, brain-plus, e1–e4, context).</summary>
    public string Recipe { get; init; } = "gray-brain";

    /// <summary>Input size (square).</summary>
    public int Size { get; init; } = 256;

    /// <summary>Network (small-cnn, resnet18, resnet34, resnet18-imagenet).</summary>
    public string Architecture { get; init; } = "resnet18-imagenet";

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Stop after this many epochs without a better validation AP.</summary>
    public int Patience { get; init; } = 6;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Peak learning rate of AdamW (head); pretrained layers get <see cref="BackboneLearningRateFactor"/> × this.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Learning-rate factor for pretrained layers.</summary>
    public double BackboneLearningRateFactor { get; init; } = 0.3;

    /// <summary>AdamW weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Augmentation strength in [0, 1]: 0 none, 1 = flips, ±15° rotation, ±15 % scale, ±8 % shift, intensity jitter and noise.</summary>
    public double Augmentation { get; init; } = 0.7;

    /// <summary>
    /// Window augmentation probability in [0, 1] (issue 12): each training image is re-mapped, with this probability, as
    /// if displayed at a random brain window (centre 30–50 HU, width 70–150 HU; see <see cref="Augmenter"/>). Only for
    /// the brain-window recipes (gray-brain, context). 0 (the default) = off.
    /// </summary>
    public double WindowAugmentation { get; init; }

    /// <summary>Why <see cref="WindowAugmentation"/> cannot be used with <see cref="Recipe"/>; null when it can (or is off).</summary>
    public string? WindowAugmentationProblem =>
        WindowAugmentation > 0 && !Headsup.Inputs.InputRecipe.Parse(Recipe).BrainWindowOnly
            ? $"window augmentation re-maps the 40/80 brain window; recipe {Recipe} is not one (use {string.Join(" or ", Headsup.Inputs.InputRecipe.All.Where(r => r.BrainWindowOnly).Select(r => r.Name))})"
            : null;

    /// <summary>
    /// Display dropout probability in [0, 1] (issue 12; recipes with a display fallback only, i.e. brain-plus): each
    /// training input built from HU is shown, with this probability, as a display image of it would arrive, every
    /// channel replaced by the brain window (see <see cref="Augmenter"/>), so the network learns the display-image
    /// mode from DICOM as well as from the PNGs. 0 (the default) = off.
    /// </summary>
    public double DisplayDropout { get; init; }

    /// <summary>
    /// Display dropout for real inputs only: synthetic positives (lesions inserted into real negatives) keep their HU
    /// channels and are never shown as display images. An inserted bleed of 80–90 HU clips to white in a display image and
    /// merges with the skull beside it; taught as a bleed, that makes a display image's thick white skull (the vertex,
    /// the skull base) read as one (docs/generalisation.md, 2j). false (the default) = every input may be dropped.
    /// </summary>
    public bool DisplayDropoutRealOnly { get; init; }

    /// <summary>Why <see cref="DisplayDropout"/> cannot be used with <see cref="Recipe"/>; null when it can (or is off).</summary>
    public string? DisplayDropoutProblem =>
        DisplayDropout > 0 && !Headsup.Inputs.InputRecipe.Parse(Recipe).HasDisplayFallback
            ? $"display dropout replaces the channels a display image cannot fill; recipe {Recipe} has none (use {string.Join(" or ", Headsup.Inputs.InputRecipe.All.Where(r => r.HasDisplayFallback).Select(r => r.Name))})"
            : null;

    /// <summary>
    /// Read a display image's skull as bone (<see cref="Headsup.Inputs.InputSpec.DisplayBoneMode"/>; brain-plus only): in
    /// display images and in display dropout alike; written into the package's input as <c>"display_bone": "skull"</c>
    /// or <c>"saturated-skull"</c> (only where the skull is cleanly clipped).
    /// </summary>
    public Headsup.Inputs.DisplayBoneMode DisplayBone { get; init; }

    /// <summary>
    /// The fraction of display-dropout images whose skull is read as bone (with <see cref="DisplayBone"/>; drawn per
    /// image); the others keep the plain reading, so a network trained with bone still learns a white skull read as the
    /// top of the window — what display images the saturated mode leaves alone carry. 1 (the default) = every one.
    /// </summary>
    public double DisplayBoneFraction { get; init; } = 1;

    /// <summary>Why <see cref="DisplayBone"/> cannot be used with <see cref="Recipe"/>; null when it can (or is off).</summary>
    public string? DisplayBoneProblem =>
        DisplayBone != Headsup.Inputs.DisplayBoneMode.Off && !Headsup.Inputs.InputRecipe.Parse(Recipe).HasDisplayFallback
            ? $"display bone gives a display image's skull the values bone has in the other channels; recipe {Recipe} has none (use {string.Join(" or ", Headsup.Inputs.InputRecipe.All.Where(r => r.HasDisplayFallback).Select(r => r.Name))})"
            : null;

    /// <summary>Why <see cref="DisplayBoneFraction"/> has no effect (below 1 without display bone); null when it has or is 1.</summary>
    public string? DisplayBoneFractionProblem =>
        DisplayBoneFraction < 1 && DisplayBone == Headsup.Inputs.DisplayBoneMode.Off
            ? $"a display bone fraction of {DisplayBoneFraction.ToString("R", CultureInfo.InvariantCulture)} needs display bone (display_bone=true or saturated-skull)"
            : null;

    /// <summary>Why <see cref="DisplayDropoutRealOnly"/> has no effect (set without display dropout); null when it has or is off.</summary>
    public string? DisplayDropoutRealOnlyProblem =>
        DisplayDropoutRealOnly && DisplayDropout <= 0
            ? "display dropout for real inputs only needs display dropout (display_dropout > 0)"
            : null;

    /// <summary>The first reason these options cannot train (window augmentation, display dropout or display bone with a recipe that has no use for it, a display bone fraction without display bone, display dropout for real inputs only without display dropout); null when they can.</summary>
    public string? Problem => WindowAugmentationProblem ?? DisplayDropoutProblem ?? DisplayBoneProblem ?? DisplayBoneFractionProblem ?? DisplayDropoutRealOnlyProblem;

    /// <summary>
    /// Zero everything outside the head before the crop (<see cref="Headsup.Inputs.InputSpec.HeadMask"/>); written into the
    /// package's input as <c>"mask": "head"</c>, so evaluate, detect and explain apply it too.
    /// </summary>
    public bool HeadMask { get; init; }

    /// <summary>The input definition these options train: recipe, size, head mask and display bone (for a recipe that has a display fallback).</summary>
    public Headsup.Inputs.InputSpec InputSpec(string? recipe = null, int? size = null) =>
        new(recipe ?? Recipe, size ?? Size) { HeadMask = HeadMask, DisplayBoneMode = Headsup.Inputs.InputRecipe.Parse(recipe ?? Recipe).HasDisplayFallback ? DisplayBone : Headsup.Inputs.DisplayBoneMode.Off };

    /// <summary>Synthetic positives made per real training negative by lesion insertion (0 = none).</summary>
    public double SyntheticPositivesPerNegative { get; init; }

    /// <summary>
    /// Synthetic bleed mimics per real training negative (issue 12; 0 = none): copies of real negatives with a
    /// physiological calcification inserted (choroid plexus, pineal, basal ganglia, falx), kept negative, so that the
    /// network learns that a bright focus which is not blood is no bleed. Redrawn with the lesions when
    /// <see cref="SyntheticRefresh"/> is on.
    /// </summary>
    public double SyntheticMimicsPerNegative { get; init; }

    /// <summary>
    /// Draw new lesions before every epoch (issue 12): each epoch's synthetic positives are fresh insertions into a
    /// freshly drawn set of training negatives, so over E epochs the network sees about E× as many distinct lesions on
    /// the same real anatomy instead of memorising one set. Off by default (one set for the whole run).
    /// </summary>
    public bool SyntheticRefresh { get; init; }

    /// <summary>
    /// Hard-negative mining strength h ≥ 0 (issue 12): from the second epoch on, each real negative is drawn with its
    /// weight multiplied by 1 + h·p, where p is the probability the network gave it when last trained on it, so the
    /// negatives it takes for bleeds (skull base, vertex, streaks, calcifications) are seen more often. 0 = off.
    /// </summary>
    public double HardNegatives { get; init; }

    /// <summary>
    /// Source balancing: each epoch draws its inputs (with replacement) with weight count(source)^−b, so a small source
    /// (a few real DICOM studies beside many PNGs and phantoms) is seen more often. 0 = plain shuffle; 1 = every source
    /// equally often.
    /// </summary>
    public double SourceBalance { get; init; }

    /// <summary>Train on any + the five subtypes when subtype labels exist.</summary>
    public bool MultiLabel { get; init; } = true;

    /// <summary>Fraction of patients held out for validation (early stopping, calibration, operating point).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>
    /// Before the patient-level validation split, give images without a patient id that show the same slice (another
    /// export, an adjacent slice of one head; <see cref="Headsup.Datasets.NearDuplicates"/>) one patient id, so no copy
    /// of a validation image is in training. Off by default (the shipped model's split was drawn without it). A split
    /// fixed by a manifest or an explicit validation set is left as it is.
    /// </summary>
    public bool GroupNearDuplicates { get; init; }

    /// <summary>
    /// What the package's scores average over at inference (written into model.json as
    /// <c>test_time_augmentation</c>); the calibration and operating point are fitted on validation scores made so.
    /// Training itself (and the epoch choice) is unchanged.
    /// </summary>
    public Headsup.Models.TestTimeAugmentation TestTimeAugmentation { get; init; }

    /// <summary>The signature correlation at or above which <see cref="GroupNearDuplicates"/> links two images.</summary>
    public double NearDuplicateThreshold { get; init; } = Headsup.Datasets.NearDuplicates.DefaultThreshold;

    /// <summary>
    /// Weight averaging (stochastic weight averaging, issue 12): when &gt; 0, the network kept is the mean of its weights at
    /// the end of every epoch from this one on (BatchNorm statistics included), not the best epoch's; a run that stops
    /// before it keeps the best epoch. The average is not checkpointed: a resumed run (<c>--resume</c>) averages the
    /// epochs it runs itself, as model.json's <c>averaged_epochs</c> says. 0 (the default) = off.
    /// </summary>
    public int AverageFromEpoch { get; init; }

    /// <summary>Seed for splits, shuffles, augmentation and initialisation.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>
    /// Seed for everything but the split (initialisation, shuffles, augmentation, lesion insertion) when it should differ
    /// from <see cref="Seed"/>: another draw of the same training on the same split. Null (the default) = <see cref="Seed"/>.
    /// </summary>
    public int? TrainingSeed { get; init; }

    /// <summary>
    /// Model soup (issue 12): train this many networks on the same split with training seeds
    /// <see cref="EffectiveTrainingSeed"/> + 0, 1, …, each from the same ImageNet start, and keep the mean of their weights
    /// (BatchNorm statistics included) as one network; calibration, operating point and validation metrics are those of
    /// the averaged network. 1 (the default) = a single network. At most <see cref="MaxSoup"/>.
    /// </summary>
    public int Soup { get; init; } = 1;

    /// <summary>The most networks a soup averages.</summary>
    public const int MaxSoup = 8;

    /// <summary>The training seed of the first (or only) network: <see cref="TrainingSeed"/>, else <see cref="Seed"/>.</summary>
    public int EffectiveTrainingSeed => TrainingSeed ?? Seed;

    /// <summary>Torch intra-op threads (default: the machine's processor count).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Target sensitivity used to pick the operating point on validation data.</summary>
    public double OperatingSensitivity { get; init; } = 0.90;

    /// <summary>How the package stores the weights (float16 by default; int8 per channel for size).</summary>
    public Headsup.Models.Packaging.WeightsPrecision Precision { get; init; } = Headsup.Models.Packaging.WeightsPrecision.Float16;

    /// <summary>Stop training when this much wall time has passed (AutoML budgets); null = no limit.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>
    /// The options a package recorded (<see cref="Describe"/>, e.g. a package's <c>training.options</c>) with
    /// <paramref name="overrides"/> applied on top (same keys): how a protocol trains "like" a given model.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown key, or a value that does not parse.</exception>
    public static TrainingOptions FromDescription(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        var options = new TrainingOptions();
        var values = new Dictionary<string, string>(recorded, StringComparer.Ordinal);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        foreach (var (key, value) in values)
        {
            options = key switch
            {
                "recipe" => options with { Recipe = value },
                "size" => options with { Size = Int(key, value) },
                "architecture" => options with { Architecture = value },
                "epochs" => options with { Epochs = Int(key, value) },
                "patience" => options with { Patience = Int(key, value) },
                "batch_size" => options with { BatchSize = Int(key, value) },
                "learning_rate" => options with { LearningRate = Real(key, value) },
                "backbone_learning_rate_factor" => options with { BackboneLearningRateFactor = Real(key, value) },
                "weight_decay" => options with { WeightDecay = Real(key, value) },
                "augmentation" => options with { Augmentation = Real(key, value) },
                "synthetic_positives_per_negative" => options with { SyntheticPositivesPerNegative = Real(key, value) },
                "synthetic_mimics_per_negative" => options with { SyntheticMimicsPerNegative = Real(key, value) >= 0 ? Real(key, value) : throw Bad(key, value) },
                "synthetic_refresh" => options with { SyntheticRefresh = Bool(key, value) },
                "hard_negatives" => options with { HardNegatives = Real(key, value) >= 0 ? Real(key, value) : throw Bad(key, value) },
                "source_balance" => options with { SourceBalance = Real(key, value) },
                "multi_label" => options with { MultiLabel = Bool(key, value) },
                "validation_fraction" => options with { ValidationFraction = Real(key, value) },
                "average_from_epoch" => options with { AverageFromEpoch = Int(key, value) >= 0 ? Int(key, value) : throw Bad(key, value) },
                "group_near_duplicates" => options with { GroupNearDuplicates = Bool(key, value) },
                "near_duplicate_threshold" => options with { NearDuplicateThreshold = Real(key, value) is > 0 and <= 1 ? Real(key, value) : throw Bad(key, value) },
                "test_time_augmentation" => options with { TestTimeAugmentation = Headsup.Models.TestTimeAugmentations.TryParse(value, out var tta) ? tta : throw Bad(key, value) },
                "seed" => options with { Seed = Int(key, value) },
                "training_seed" => options with { TrainingSeed = Int(key, value) },
                "soup" => options with { Soup = Int(key, value) is >= 1 and <= MaxSoup ? Int(key, value) : throw Bad(key, value) },
                "weights_precision" => options with { Precision = Enum.TryParse<Headsup.Models.Packaging.WeightsPrecision>(value, ignoreCase: true, out var p) ? p : throw Bad(key, value) },
                "operating_sensitivity" => options with { OperatingSensitivity = Real(key, value) },
                "head_mask" => options with { HeadMask = Bool(key, value) },
                "window_augmentation" => options with { WindowAugmentation = Real(key, value) },
                "display_bone" => options with
                {
                    DisplayBone = value switch
                    {
                        "false" => Headsup.Inputs.DisplayBoneMode.Off,
                        "true" or Headsup.Inputs.DisplayBone.SkullName => Headsup.Inputs.DisplayBoneMode.Skull,
                        Headsup.Inputs.DisplayBone.SaturatedSkullName => Headsup.Inputs.DisplayBoneMode.SaturatedSkull,
                        _ => throw Bad(key, value),
                    },
                },
                "display_bone_fraction" => options with { DisplayBoneFraction = Real(key, value) is >= 0 and <= 1 ? Real(key, value) : throw Bad(key, value) },
                "display_dropout" => options with { DisplayDropout = Real(key, value) is >= 0 and <= 1 ? Real(key, value) : throw Bad(key, value) },
                "display_dropout_real_only" => options with { DisplayDropoutRealOnly = Bool(key, value) },
                _ => throw new ArgumentException($"unknown training option '{key}' (known: {string.Join(", ", new TrainingOptions { TrainingSeed = 1 }.Describe().Keys)})"),
            };
        }

        return options;

        static int Int(string key, string value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw Bad(key, value);
        static bool Bool(string key, string value) => value switch { "true" => true, "false" => false, _ => throw Bad(key, value) };
        static double Real(string key, string value) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw Bad(key, value);
        static ArgumentException Bad(string key, string value) => new($"training option {key}: '{value}' is not a valid value");
    }

    /// <summary>
    /// The options as strings for the package's provenance. <c>training_seed</c> appears only when set, so that a
    /// protocol training "like" a package with another <c>seed</c> draws another training too.
    /// </summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var described = Described();
        if (TrainingSeed is { } trainingSeed)
        {
            described["training_seed"] = trainingSeed.ToString(CultureInfo.InvariantCulture);
        }

        return described;
    }

    private Dictionary<string, string> Described() => new()
    {
        ["recipe"] = Recipe,
        ["size"] = Size.ToString(CultureInfo.InvariantCulture),
        ["architecture"] = Architecture,
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["patience"] = Patience.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["learning_rate"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["backbone_learning_rate_factor"] = BackboneLearningRateFactor.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["augmentation"] = Augmentation.ToString("R", CultureInfo.InvariantCulture),
        ["head_mask"] = HeadMask ? "true" : "false",
        ["window_augmentation"] = WindowAugmentation.ToString("R", CultureInfo.InvariantCulture),
        ["display_dropout"] = DisplayDropout.ToString("R", CultureInfo.InvariantCulture),
        ["display_dropout_real_only"] = DisplayDropoutRealOnly ? "true" : "false",
        ["display_bone"] = DisplayBone switch
        {
            Headsup.Inputs.DisplayBoneMode.Off => "false",
            Headsup.Inputs.DisplayBoneMode.Skull => "true",
            _ => Headsup.Inputs.DisplayBone.NameOf(DisplayBone)!,
        },
        ["display_bone_fraction"] = DisplayBoneFraction.ToString("R", CultureInfo.InvariantCulture),
        ["synthetic_positives_per_negative"] = SyntheticPositivesPerNegative.ToString("R", CultureInfo.InvariantCulture),
        ["synthetic_mimics_per_negative"] = SyntheticMimicsPerNegative.ToString("R", CultureInfo.InvariantCulture),
        ["synthetic_refresh"] = SyntheticRefresh ? "true" : "false",
        ["hard_negatives"] = HardNegatives.ToString("R", CultureInfo.InvariantCulture),
        ["source_balance"] = SourceBalance.ToString("R", CultureInfo.InvariantCulture),
        ["multi_label"] = MultiLabel ? "true" : "false",
        ["validation_fraction"] = ValidationFraction.ToString("R", CultureInfo.InvariantCulture),
        ["average_from_epoch"] = AverageFromEpoch.ToString(CultureInfo.InvariantCulture),
        ["group_near_duplicates"] = GroupNearDuplicates ? "true" : "false",
        ["near_duplicate_threshold"] = NearDuplicateThreshold.ToString("R", CultureInfo.InvariantCulture),
        ["test_time_augmentation"] = Headsup.Models.TestTimeAugmentations.NameOf(TestTimeAugmentation) ?? Headsup.Models.TestTimeAugmentations.NoneName,
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["soup"] = Soup.ToString(CultureInfo.InvariantCulture),
        ["weights_precision"] = Precision.ToString(),
        ["operating_sensitivity"] = OperatingSensitivity.ToString("R", CultureInfo.InvariantCulture),
    };
}
