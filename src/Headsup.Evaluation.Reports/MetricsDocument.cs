using System.Text.Json.Serialization;
using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Intervals;

namespace Headsup.Evaluation.Reports;

/// <summary>
/// The content of metrics.json (schema "headsup.evaluation.metrics/1"). Property names are snake_case; NaN and ±∞
/// are written as null. The top-level <c>precision</c>, <c>recall</c>, <c>f1</c> and <c>specificity</c> are the
/// values at <see cref="Threshold"/> (0.5 by default); <see cref="AtThreshold"/> repeats them with counts and 95 % CIs.
/// </summary>
public sealed record MetricsDocument(
    string Schema,
    bool NotForClinicalUse,
    string Disclaimer,
    ModelSummary Model,
    string Dataset,
    string Level,
    long N,
    long Positives,
    long Negatives,
    double Prevalence,
    double Auc,
    double AveragePrecision,
    double Threshold,
    double Precision,
    double Recall,
    double F1,
    double Specificity,
    double Ece,
    double Brier,
    [property: JsonPropertyName("sensitivity_at_specificity_0.90")] SensitivityAtSpecificitySummary SensitivityAtSpecificity90,
    [property: JsonPropertyName("sensitivity_at_specificity_0.95")] SensitivityAtSpecificitySummary SensitivityAtSpecificity95,
    RankingSummary Ranking,
    ThresholdSummary AtThreshold,
    ThresholdSummary? AtOperatingPoint,
    CalibrationSummary Calibration,
    IntervalSettings Intervals,
    IReadOnlyList<SubtypeSummary> Subtypes)
{
    /// <summary>
    /// The rows of each subgroup reported on their own (<see cref="EvaluationRow.Group"/>), e.g. slices at mid-head and
    /// at the skull base or vertex; null when no row has a group.
    /// </summary>
    public GroupsSummary? Groups { get; init; }

    /// <summary>The schema identifier written to <see cref="Schema"/>.</summary>
    public const string SchemaId = "headsup.evaluation.metrics/1";

    /// <summary>The disclaimer written to every output.</summary>
    public const string DisclaimerText = "NOT FOR CLINICAL USE — research software, not validated.";
}

/// <summary>Model provenance.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Version">Model version or weights hash.</param>
public sealed record ModelSummary(string Name, string Version);

/// <summary>Best sensitivity at a minimum specificity (NaN values when a class is absent; threshold null when +∞).</summary>
/// <param name="TargetSpecificity">The minimum specificity.</param>
/// <param name="Sensitivity">The best sensitivity reached.</param>
/// <param name="Specificity">The specificity there.</param>
/// <param name="Threshold">The threshold reaching it.</param>
public sealed record SensitivityAtSpecificitySummary(double TargetSpecificity, double Sensitivity, double Specificity, double Threshold);

/// <summary>Threshold-free metrics with intervals.</summary>
/// <param name="Auc">ROC AUC.</param>
/// <param name="AveragePrecision">Average precision.</param>
public sealed record RankingSummary(ConfidenceInterval Auc, ConfidenceInterval AveragePrecision);

/// <summary>Confusion counts and metrics at one threshold (positive when probability ≥ threshold).</summary>
/// <param name="Threshold">The threshold.</param>
/// <param name="Source">Where it came from: "fixed" or the operating point's description.</param>
/// <param name="Tp">True positives.</param>
/// <param name="Fp">False positives.</param>
/// <param name="Tn">True negatives.</param>
/// <param name="Fn">False negatives.</param>
/// <param name="Precision">Precision (PPV) with CI.</param>
/// <param name="Recall">Recall = sensitivity, with CI.</param>
/// <param name="Specificity">Specificity with CI.</param>
/// <param name="F1">F1 with CI.</param>
/// <param name="Accuracy">Accuracy (no CI).</param>
/// <param name="Npv">Negative predictive value (no CI).</param>
public sealed record ThresholdSummary(
    double Threshold,
    string Source,
    long Tp,
    long Fp,
    long Tn,
    long Fn,
    ConfidenceInterval Precision,
    ConfidenceInterval Recall,
    ConfidenceInterval Specificity,
    ConfidenceInterval F1,
    double Accuracy,
    double Npv);

/// <summary>Calibration summary.</summary>
/// <param name="Bins">Number of equal-width bins.</param>
/// <param name="Ece">Expected calibration error.</param>
/// <param name="Brier">Brier score.</param>
/// <param name="Reliability">Per-bin reliability curve.</param>
public sealed record CalibrationSummary(int Bins, double Ece, double Brier, IReadOnlyList<ReliabilityBin> Reliability);

/// <summary>How the confidence intervals were computed.</summary>
/// <param name="Method">Always "percentile bootstrap".</param>
/// <param name="Resamples">Resamples drawn.</param>
/// <param name="Seed">Seed.</param>
/// <param name="ConfidenceLevel">Two-sided level.</param>
/// <param name="ResamplingUnit">What a resampled row is: "slice" or "study".</param>
public sealed record IntervalSettings(string Method, int Resamples, ulong Seed, double ConfidenceLevel, string ResamplingUnit);

/// <summary>Per-subtype ranking metrics (null values when the subtype's labels are absent or one class is missing).</summary>
/// <param name="Name">Subtype name.</param>
/// <param name="Positives">Rows labelled positive for the subtype (null without labels).</param>
/// <param name="Prevalence">Fraction positive (null without labels).</param>
/// <param name="Auc">ROC AUC with CI.</param>
/// <param name="AveragePrecision">Average precision with CI.</param>
public sealed record SubtypeSummary(string Name, long? Positives, double? Prevalence, ConfidenceInterval? Auc, ConfidenceInterval? AveragePrecision);

/// <summary>The subgroups of an evaluation and how they were formed.</summary>
/// <param name="By">What the groups tell (the predictions.csv column), e.g. "head_level".</param>
/// <param name="Note">How rows were put into groups.</param>
/// <param name="Ungrouped">Rows in no group (counted in the whole evaluation, in none of the groups).</param>
/// <param name="Items">One summary per group.</param>
public sealed record GroupsSummary(string By, string? Note, long Ungrouped, IReadOnlyList<GroupSummary> Items);

/// <summary>
/// The metrics of one subgroup's rows: ranking with bootstrap CIs (resampling within the group; null with one class) and
/// the rates at the fixed threshold and at the operating point, as for the whole evaluation.
/// </summary>
/// <param name="Name">The group.</param>
/// <param name="N">Rows.</param>
/// <param name="Positives">Rows labelled positive.</param>
/// <param name="Prevalence">Fraction positive.</param>
/// <param name="Auc">ROC AUC with CI; null when the group has one class only.</param>
/// <param name="AveragePrecision">Average precision with CI; null without positives.</param>
/// <param name="AtThreshold">Counts and rates at the fixed threshold.</param>
/// <param name="AtOperatingPoint">Counts and rates at the operating point, when there is one.</param>
public sealed record GroupSummary(
    string Name,
    long N,
    long Positives,
    double Prevalence,
    ConfidenceInterval? Auc,
    ConfidenceInterval? AveragePrecision,
    ThresholdSummary AtThreshold,
    ThresholdSummary? AtOperatingPoint);
