namespace Headsup.Evaluation.Reports;

/// <summary>One evaluated item: a slice or a study, with its reference label and the model's probability.</summary>
/// <param name="Id">File name or identifier written to predictions.csv (keep patient identifiers out).</param>
/// <param name="Label">Reference label: 1 = hemorrhage present, 0 = absent.</param>
/// <param name="Probability">Predicted probability of hemorrhage, in [0, 1].</param>
/// <param name="SubtypeProbabilities">Optional per-subtype probabilities, in the order of <see cref="EvaluationReportOptions.SubtypeNames"/>.</param>
/// <param name="SubtypeLabels">Optional per-subtype labels (0/1), same order; needed for per-subtype AUC and AP.</param>
/// <param name="Group">Optional subgroup the row belongs to (e.g. the level of the head); rows of each group are also
/// reported on their own (<see cref="MetricsDocument.Groups"/>). Null: in no group.</param>
public sealed record EvaluationRow(
    string Id,
    int Label,
    double Probability,
    IReadOnlyList<double>? SubtypeProbabilities = null,
    IReadOnlyList<int>? SubtypeLabels = null,
    string? Group = null);
