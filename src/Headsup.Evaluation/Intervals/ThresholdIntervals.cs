using Headsup.Evaluation.Metrics;

namespace Headsup.Evaluation.Intervals;

/// <summary>Bootstrap intervals of the threshold metrics at one threshold (positive when score ≥ threshold).</summary>
/// <param name="Counts">Confusion counts on the full data.</param>
/// <param name="Precision">Precision (positive predictive value).</param>
/// <param name="Recall">Recall, i.e. sensitivity.</param>
/// <param name="Specificity">Specificity.</param>
/// <param name="F1">F1 score.</param>
public sealed record ThresholdIntervals(ConfusionCounts Counts, ConfidenceInterval Precision, ConfidenceInterval Recall, ConfidenceInterval Specificity, ConfidenceInterval F1);
