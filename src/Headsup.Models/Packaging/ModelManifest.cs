using System.Text.Json.Serialization;
using Headsup.Evaluation.Calibration;

namespace Headsup.Models.Packaging;

/// <summary>
/// model.json of a model package: what the network is, what it expects, how its scores are calibrated and
/// thresholded, what it was trained on, and how it measured. Read by evaluate, detect and serve.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>The package format this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    [JsonPropertyName("format")]
    public string Format { get; init; } = "headsup-model";

    [JsonPropertyName("format_version")]
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    [JsonPropertyName("created_utc")]
    public DateTimeOffset CreatedUtc { get; init; }

    [JsonPropertyName("headsup_version")]
    public string HeadsupVersion { get; init; } = ThisBuild.Version;

    [JsonPropertyName("architecture")]
    public required string Architecture { get; init; }

    [JsonPropertyName("input")]
    public required ModelInput Input { get; init; }

    /// <summary>Output names in logit order: "any" first, then subtypes when trained multi-label.</summary>
    [JsonPropertyName("outputs")]
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>
    /// How scores average over transformed inputs at inference (<see cref="TestTimeAugmentations"/>: "horizontal-flip");
    /// absent = one pass. The calibration and operating point of a package are fitted on scores made this way.
    /// </summary>
    [JsonPropertyName("test_time_augmentation")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestTimeAugmentation { get; init; }

    /// <summary>
    /// <see cref="TestTimeAugmentation"/> parsed (absent or unknown = none; an unknown value is refused when the
    /// manifest is read, <see cref="ModelPackage.ReadManifest"/>).
    /// </summary>
    [JsonIgnore]
    public Headsup.Models.TestTimeAugmentation ScoringAugmentation =>
        TestTimeAugmentations.TryParse(TestTimeAugmentation, out var augmentation) ? augmentation : Headsup.Models.TestTimeAugmentation.None;

    [JsonPropertyName("calibration")]
    public required PlattParameters Calibration { get; init; }

    [JsonPropertyName("thresholds")]
    public required ModelThresholds Thresholds { get; init; }

    [JsonPropertyName("study")]
    public required StudyAggregation Study { get; init; }

    [JsonPropertyName("training")]
    public required TrainingRecord Training { get; init; }

    [JsonPropertyName("metrics")]
    public IReadOnlyDictionary<string, double?> Metrics { get; init; } = new Dictionary<string, double?>();

    [JsonPropertyName("weights")]
    public required WeightsRecord Weights { get; init; }

    [JsonPropertyName("not_for_clinical_use")]
    public bool NotForClinicalUse { get; init; } = true;

    [JsonPropertyName("disclaimer")]
    public string Disclaimer { get; init; } = "Research software. NOT FOR CLINICAL USE: not validated for diagnosis.";
}

/// <summary>What the network is fed: the recipe (see Headsup.Datasets InputSpec) at Size × Size.</summary>
public sealed record ModelInput
{
    [JsonPropertyName("recipe")]
    public required string Recipe { get; init; }

    [JsonPropertyName("size")]
    public required int Size { get; init; }

    [JsonPropertyName("channels")]
    public required int Channels { get; init; }

    /// <summary>"head" when everything outside the head is zeroed before the crop; null (absent from model.json) = no mask.</summary>
    [JsonPropertyName("mask")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mask { get; init; }

    /// <summary>The value of <see cref="Mask"/> that means the head mask.</summary>
    public const string HeadMask = "head";

    /// <summary>
    /// "skull" when a display image's white bone is read as bone (Headsup.Inputs DisplayBone), "saturated-skull" when only
    /// a cleanly clipped skull is; null (absent) = not.
    /// </summary>
    [JsonPropertyName("display_bone")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DisplayBone { get; init; }

    /// <summary>The value of <see cref="DisplayBone"/> that turns it on.</summary>
    public const string SkullBone = Headsup.Inputs.DisplayBone.SkullName;

    /// <summary>The value of <see cref="DisplayBone"/> that turns it on for cleanly clipped skulls only.</summary>
    public const string SaturatedSkullBone = Headsup.Inputs.DisplayBone.SaturatedSkullName;
}

/// <summary>p = sigmoid(A · logit + B), fitted on validation data (A = 1, B = 0 means uncalibrated).</summary>
public sealed record PlattParameters
{
    [JsonPropertyName("method")]
    public string Method { get; init; } = "platt";

    [JsonPropertyName("a")]
    public double A { get; init; } = 1;

    [JsonPropertyName("b")]
    public double B { get; init; }

    [JsonPropertyName("fitted_on")]
    public string FittedOn { get; init; } = "none";

    /// <summary>Calibrated probability for a raw logit.</summary>
    public double Apply(double logit) => PlattScaling.Sigmoid((A * logit) + B);
}

/// <summary>Decision thresholds on the calibrated probability.</summary>
public sealed record ModelThresholds
{
    [JsonPropertyName("default")]
    public double Default { get; init; } = 0.5;

    [JsonPropertyName("operating_point")]
    public double OperatingPoint { get; init; } = 0.5;

    [JsonPropertyName("operating_point_rule")]
    public string OperatingPointRule { get; init; } = "default 0.5";
}

/// <summary>How slice probabilities become a study probability.</summary>
public sealed record StudyAggregation
{
    [JsonPropertyName("method")]
    public string Method { get; init; } = "top-k-mean";

    [JsonPropertyName("k")]
    public int K { get; init; } = 3;

    [JsonPropertyName("calibration")]
    public PlattParameters Calibration { get; init; } = new();

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; } = 0.5;

    /// <summary>
    /// What the study calibration and threshold rest on: <see cref="StudyCalibrationStatus.RealStudies"/>, or
    /// <see cref="StudyCalibrationStatus.InsufficientRealData"/> when the real labelled studies could not support a
    /// threshold (then detect makes no decision and says so); null in packages calibrated before the status existed.
    /// </summary>
    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    /// <summary>How the status was reached (studies, rule, leave-one-study-out estimates).</summary>
    [JsonPropertyName("status_detail")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StatusDetail { get; init; }

    /// <summary>False when the study threshold must not decide (insufficient real data).</summary>
    [JsonIgnore]
    public bool Decides => Status != StudyCalibrationStatus.InsufficientRealData;
}

/// <summary>Values of <see cref="StudyAggregation.Status"/>.</summary>
public static class StudyCalibrationStatus
{
    /// <summary>Calibration and threshold fitted on enough real labelled studies.</summary>
    public const string RealStudies = "real studies";

    /// <summary>Too few real labelled studies: no calibration, no threshold, no decision.</summary>
    public const string InsufficientRealData = "insufficient real data";
}

/// <summary>Provenance of the training run.</summary>
public sealed record TrainingRecord
{
    [JsonPropertyName("manifest_hash")]
    public required string ManifestHash { get; init; }

    [JsonPropertyName("sources")]
    public IReadOnlyList<string> Sources { get; init; } = [];

    [JsonPropertyName("train_samples")]
    public int TrainSamples { get; init; }

    [JsonPropertyName("train_positives")]
    public int TrainPositives { get; init; }

    [JsonPropertyName("synthetic_positives")]
    public int SyntheticPositives { get; init; }

    /// <summary>Synthetic negatives (real negatives with an inserted bleed mimic); 0 in packages from before them.</summary>
    [JsonPropertyName("synthetic_negatives")]
    public int SyntheticNegatives { get; init; }

    [JsonPropertyName("validation_samples")]
    public int ValidationSamples { get; init; }

    [JsonPropertyName("validation_positives")]
    public int ValidationPositives { get; init; }

    [JsonPropertyName("epochs")]
    public int Epochs { get; init; }

    [JsonPropertyName("best_epoch")]
    public int BestEpoch { get; init; }

    /// <summary>The epochs whose weights were averaged into the stored ones (weight averaging); absent when the best epoch's were kept.</summary>
    [JsonPropertyName("averaged_epochs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<int>? AveragedEpochs { get; init; }

    /// <summary>
    /// The networks whose weights were averaged into the stored ones (a model soup: same split, one training seed each);
    /// absent for a single network.
    /// </summary>
    [JsonPropertyName("soup")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SoupMemberRecord>? Soup { get; init; }

    [JsonPropertyName("seed")]
    public int Seed { get; init; }

    [JsonPropertyName("options")]
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("seconds")]
    public double Seconds { get; init; }

    /// <summary>
    /// The package whose weights started this run (fine-tuning, <c>train --resume-from</c>); null (and absent from
    /// model.json) when the run started from ImageNet or random weights.
    /// </summary>
    [JsonPropertyName("parent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ParentModelRecord? Parent { get; init; }
}

/// <summary>One network of a model soup, as model.json records it.</summary>
public sealed record SoupMemberRecord
{
    /// <summary>The seed of everything but the split (initialisation, order, augmentation, lesion insertion).</summary>
    [JsonPropertyName("training_seed")]
    public int TrainingSeed { get; init; }

    /// <summary>Epochs the member ran.</summary>
    [JsonPropertyName("epochs")]
    public int Epochs { get; init; }

    /// <summary>The member's best epoch by validation AP (its weights at that epoch went into the mean).</summary>
    [JsonPropertyName("best_epoch")]
    public int BestEpoch { get; init; }

    /// <summary>The member's own validation AP at its best epoch.</summary>
    [JsonPropertyName("best_validation_ap")]
    public double BestValidationAp { get; init; }
}

/// <summary>The parent of a fine-tuned package: which package (and exactly which weights) it was trained from.</summary>
public sealed record ParentModelRecord
{
    /// <summary>The parent package's name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary>The parent package's version.</summary>
    [JsonPropertyName("version")]
    public required string Version { get; init; }

    /// <summary>SHA-256 of the parent's weights file, as its model.json records it (lower-case hex).</summary>
    [JsonPropertyName("weights_sha256")]
    public required string WeightsSha256 { get; init; }

    /// <summary>The parent's own parent, when it was itself fine-tuned (so the whole lineage travels with the package).</summary>
    [JsonPropertyName("parent")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ParentModelRecord? Parent { get; init; }
}

/// <summary>The weights file and its hash.</summary>
public sealed record WeightsRecord
{
    [JsonPropertyName("file")]
    public string File { get; init; } = "weights.bin";

    [JsonPropertyName("sha256")]
    public required string Sha256 { get; init; }

    [JsonPropertyName("dtype")]
    public string Dtype { get; init; } = "float16";

    [JsonPropertyName("parameters")]
    public long Parameters { get; init; }
}

/// <summary>The version of this build, written into every package.</summary>
public static class ThisBuild
{
    /// <summary>Informational version of Headsup.Models.</summary>
    public static string Version { get; } =
        typeof(ThisBuild).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
