using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Intervals;

namespace Headsup.Evaluation.Reports;

/// <summary>What to evaluate and how to describe it.</summary>
/// <param name="Level">Whether rows are slices or studies.</param>
/// <param name="ModelName">Model name written to every output.</param>
/// <param name="ModelVersion">Model version (and ideally weights hash) written to every output.</param>
/// <param name="DatasetDescription">Which data were evaluated (split, source, date), free text.</param>
public sealed record EvaluationReportOptions(EvaluationLevel Level, string ModelName, string ModelVersion, string DatasetDescription)
{
    /// <summary>The fixed threshold whose metrics are the top-level numbers of metrics.json (default 0.5).</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Optional model operating-point threshold (chosen on validation data) reported beside <see cref="Threshold"/>.</summary>
    public double? OperatingPointThreshold { get; init; }

    /// <summary>How the operating point was chosen, e.g. "validation sensitivity 0.90".</summary>
    public string? OperatingPointDescription { get; init; }

    /// <summary>Subtype names, matching the order of <see cref="EvaluationRow.SubtypeProbabilities"/>; empty for none.</summary>
    public IReadOnlyList<string> SubtypeNames { get; init; } = [];

    /// <summary>Bootstrap settings for the confidence intervals.</summary>
    public BootstrapOptions Bootstrap { get; init; } = BootstrapOptions.Default;

    /// <summary>
    /// What <see cref="EvaluationRow.Group"/> tells, e.g. "head_level": the predictions.csv column and the heading of the
    /// report's subgroup table.
    /// </summary>
    public string GroupedBy { get; init; } = "group";

    /// <summary>How rows were put into groups (written beside the subgroup table), e.g. the rule and its cut.</summary>
    public string? GroupNote { get; init; }

    /// <summary>The order the groups are reported in; groups not named here follow in ordinal order.</summary>
    public IReadOnlyList<string> GroupOrder { get; init; } = [];

    /// <summary>Equal-width bins for ECE and the reliability diagram.</summary>
    public int CalibrationBins { get; init; } = CalibrationMetrics.DefaultBins;
}
