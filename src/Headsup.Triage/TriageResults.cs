using Headsup.Explain;
namespace Headsup.Triage;

/// <summary>The content of results.json: one entry per study found in the input, plus files that could not be used.</summary>
public sealed record TriageResults
{
    /// <summary>File format name.</summary>
    public string Format { get; init; } = "headsup-detect";

    /// <summary>File format version.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary>HEADS UP version that wrote the file.</summary>
    public required string HeadsupVersion { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Always true until the software is validated.</summary>
    public bool NotForClinicalUse { get; init; } = true;

    /// <summary>What the numbers are and are not.</summary>
    public string Disclaimer { get; init; } = "Research software. NOT FOR CLINICAL USE: not validated for diagnosis. Probabilities are calibrated on development data only.";

    /// <summary>The model that produced the scores.</summary>
    public required ModelProvenance Model { get; init; }

    /// <summary>One entry per study (scored or not).</summary>
    public required IReadOnlyList<StudyResult> Studies { get; init; }

    /// <summary>Input files that are not DICOM or could not be read or grouped.</summary>
    public IReadOnlyList<InputProblem> Failures { get; init; } = [];

    /// <summary>Input files skipped on purpose (e.g. DICOMDIR).</summary>
    public IReadOnlyList<InputProblem> SkippedFiles { get; init; } = [];

    /// <summary>True when some study is partial (unreadable slices, gaps) or not scored, or some input failed.</summary>
    public bool Partial => HasFailures || Studies.Any(s => s.Partial);

    /// <summary>True when some input file or slice could not be read, or some study had no usable series.</summary>
    public bool HasFailures => Failures.Count > 0 || Studies.Any(s => s.FailedSlices.Count > 0 || s.Error is not null);
}

/// <summary>Model identity and the numbers that turn logits into decisions.</summary>
public sealed record ModelProvenance
{
    /// <summary>Package name.</summary>
    public required string Name { get; init; }

    /// <summary>Package version.</summary>
    public required string Version { get; init; }

    /// <summary>Architecture, e.g. resnet18-imagenet.</summary>
    public required string Architecture { get; init; }

    /// <summary>Input recipe and size, e.g. gray-brain 224.</summary>
    public required string Input { get; init; }

    /// <summary>sha256 of weights.bin.</summary>
    public required string WeightsSha256 { get; init; }

    /// <summary>Hash of the training manifest.</summary>
    public required string TrainingManifestHash { get; init; }

    /// <summary>Slice calibration, e.g. "platt a=… b=… (validation split)".</summary>
    public required string SliceCalibration { get; init; }

    /// <summary>Study aggregation and its calibration.</summary>
    public required string StudyAggregation { get; init; }

    /// <summary>Where the package was loaded from (as given).</summary>
    public required string Location { get; init; }

    /// <summary>Number format of slice scoring.</summary>
    public string InferencePrecision { get; init; } = "float32";
}

/// <summary>A file that could not be used.</summary>
/// <param name="Source">File path or archive!entry.</param>
/// <param name="Reason">Why.</param>
public sealed record InputProblem(string Source, string Reason);

/// <summary>A series of the study that was not analysed, and why.</summary>
/// <param name="SeriesInstanceUid">The series.</param>
/// <param name="SeriesNumber">Its number, when given.</param>
/// <param name="Description">Its description.</param>
/// <param name="Instances">Instances in it.</param>
/// <param name="Reasons">Why it was not selected.</param>
public sealed record SkippedSeries(string SeriesInstanceUid, int? SeriesNumber, string Description, int Instances, IReadOnlyList<string> Reasons);

/// <summary>One scored slice.</summary>
public sealed record SliceResult
{
    /// <summary>SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>File (or archive!entry) it came from.</summary>
    public required string File { get; init; }

    /// <summary>Instance Number, when given.</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Position along the slice normal (mm), when known.</summary>
    public double? Z { get; init; }

    /// <summary>Calibrated probability of any hemorrhage on this slice.</summary>
    public double Probability { get; init; }

    /// <summary>Subtype probabilities (sigmoid of the subtype logits; not calibrated), when the model has them.</summary>
    public IReadOnlyDictionary<string, double>? Subtypes { get; init; }

    /// <summary>Intracranial area on this slice (cm², from the brain mask at input resolution).</summary>
    public double BrainAreaCm2 { get; init; }

    /// <summary>
    /// Standardised distance of the slice's pooled network features from the training slices' (the package's input
    /// profile; about 1 for a typical training slice); null when the package has no profile.
    /// </summary>
    public double? FeatureDistance { get; init; }

    /// <summary>Whether the slice counts in the study probability (slices with little brain, e.g. vertex or skull base, do not).</summary>
    public bool InStudyScore { get; init; }
}

/// <summary>A slice the reader should look at first.</summary>
/// <param name="SopInstanceUid">SOP Instance UID.</param>
/// <param name="InstanceNumber">Instance Number.</param>
/// <param name="Z">Position (mm).</param>
/// <param name="Probability">Slice probability.</param>
/// <param name="Index">Index in the sorted series (0-based).</param>
public sealed record KeySlice(string SopInstanceUid, int? InstanceNumber, double? Z, double Probability, int Index);

/// <summary>A slice of the selected series that could not be scored.</summary>
/// <param name="File">The file.</param>
/// <param name="SopInstanceUid">Its SOP Instance UID.</param>
/// <param name="InstanceNumber">Instance Number.</param>
/// <param name="Reason">Why.</param>
public sealed record FailedSlice(string File, string SopInstanceUid, int? InstanceNumber, string Reason);

/// <summary>Files written for one study.</summary>
public sealed record StudyOutputs
{
    /// <summary>Heatmaps (.npy, float32 at the slice's rows × columns) per key slice, relative to the output folder.</summary>
    public IReadOnlyList<string> Heatmaps { get; init; } = [];

    /// <summary>Overlay PNGs per key slice.</summary>
    public IReadOnlyList<string> Overlays { get; init; } = [];

    /// <summary>The side-by-side panel (slice | overlay | probabilities).</summary>
    public string? Panel { get; init; }

    /// <summary>DICOM Secondary Capture files.</summary>
    public IReadOnlyList<string> SecondaryCaptures { get; init; } = [];

    /// <summary>The DICOM Comprehensive SR file.</summary>
    public string? StructuredReport { get; init; }
}

/// <summary>The triage of one study.</summary>
public sealed record StudyResult
{
    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>The analysed series (null when no series was usable).</summary>
    public string? SeriesInstanceUid { get; init; }

    /// <summary>Its description.</summary>
    public string? SeriesDescription { get; init; }

    /// <summary>Why it was chosen.</summary>
    public string? Selection { get; init; }

    /// <summary>Calibrated study probability of intracranial hemorrhage (null when not scored).</summary>
    public double? Probability { get; init; }

    /// <summary>
    /// Decision at <see cref="Threshold"/>; null when not scored, or when the model's study calibration rests on too few
    /// real studies (<see cref="Calibration"/> = "insufficient real data") and no threshold was given.
    /// </summary>
    public bool? Positive { get; init; }

    /// <summary>What the study calibration rests on ("real studies", "insufficient real data"; null for older packages).</summary>
    public string? Calibration { get; init; }

    /// <summary>Why there is no decision (or why the decision is not a fitted one), when the calibration is insufficient.</summary>
    public string? CalibrationDetail { get; init; }

    /// <summary>How unlike the model's training data the study is (null when not scored).</summary>
    public OutOfDistributionResult? OutOfDistribution { get; init; }

    /// <summary>The study threshold used (the model's operating point unless overridden).</summary>
    public double Threshold { get; init; }

    /// <summary>Per-subtype study scores (the study aggregation, e.g. top-k mean, of the slice subtype probabilities; uncalibrated), when the model has subtypes.</summary>
    public IReadOnlyDictionary<string, double> Subtypes { get; init; } = new Dictionary<string, double>();

    /// <summary>Slices to look at first, best first.</summary>
    public IReadOnlyList<KeySlice> KeySlices { get; init; } = [];

    /// <summary>Every scored slice, in series order.</summary>
    public IReadOnlyList<SliceResult> Slices { get; init; } = [];

    /// <summary>Other series of the study, with the reasons they were not analysed.</summary>
    public IReadOnlyList<SkippedSeries> Skipped { get; init; } = [];

    /// <summary>Slices of the analysed series that could not be scored.</summary>
    public IReadOnlyList<FailedSlice> FailedSlices { get; init; } = [];

    /// <summary>Problems of the analysed series (gaps, mixed geometry…), as found by sorting.</summary>
    public IReadOnlyList<string> SeriesProblems { get; init; } = [];

    /// <summary>True when slices failed or the series has gaps: the score comes from what remained.</summary>
    public bool Partial { get; init; }

    /// <summary>Why the study was not scored, when it was not.</summary>
    public string? Error { get; init; }

    /// <summary>Explanation method used for key slices ("none" when none).</summary>
    public string Explanation { get; init; } = "none";

    /// <summary>Number format the explanations ran in (float32 or bfloat16), when explained.</summary>
    public string? ExplanationPrecision { get; init; }

    /// <summary>Files written for the study.</summary>
    public StudyOutputs Outputs { get; init; } = new();

    /// <summary>Seconds spent: reading and scoring; explaining and writing.</summary>
    public IReadOnlyDictionary<string, double> Seconds { get; init; } = new Dictionary<string, double>();
}

/// <summary>Key-slice explanations made after the result (<see cref="StudyTriager.ExplainKeySlices"/>).</summary>
/// <param name="Method">The method's CLI name (xrai, xrai-fast, ig, gradcam).</param>
/// <param name="Precision">"bfloat16" or "float32".</param>
/// <param name="Slices">The key slices explained, in key-slice order.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record KeySliceExplanation(string Method, string Precision, IReadOnlyList<ExplainedKeySliceFiles> Slices, double Seconds);

/// <summary>The files written for one explained key slice.</summary>
/// <param name="SopInstanceUid">The slice.</param>
/// <param name="Heatmap">Its heatmap (.npy at the slice's rows × columns), relative to the output folder.</param>
/// <param name="Overlay">Its overlay (.png), relative to the output folder.</param>
public sealed record ExplainedKeySliceFiles(string SopInstanceUid, string Heatmap, string Overlay);
