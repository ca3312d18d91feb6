namespace Headsup.Evaluation.Metrics;

/// <summary>
/// Threshold-free ranking metrics for binary labels, matching scikit-learn. Undefined values (a class absent) are NaN
/// rather than exceptions, so a report can still be written; metrics.json writes them as null.
/// </summary>
public static class RankingMetrics
{
    /// <summary>
    /// Area under the ROC curve, as sklearn roc_auc_score: the trapezoid rule over the distinct thresholds, so tied
    /// scores count one half. Computed exactly in integer counts. NaN when either class is absent.
    /// </summary>
    public static double RocAuc(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) => RocAuc(LabeledScores.Create(scores, labels));

    /// <inheritdoc cref="RocAuc(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static double RocAuc(LabeledScores data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return WeightedRankingPass.Run(data, default, default, default, default).Auc;
    }

    /// <summary>
    /// Average precision, as sklearn average_precision_score: Σ over distinct thresholds of (Rₙ − Rₙ₋₁)·Pₙ, with no
    /// interpolation. NaN when there are no positives (defined, and 1, when there are no negatives).
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) => AveragePrecision(LabeledScores.Create(scores, labels));

    /// <inheritdoc cref="AveragePrecision(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static double AveragePrecision(LabeledScores data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return WeightedRankingPass.Run(data, default, default, default, default).AveragePrecision;
    }

    /// <summary>
    /// The highest sensitivity (recall) over thresholds whose specificity is ≥ <paramref name="targetSpecificity"/>,
    /// with the threshold achieving it (the highest such threshold); see <see cref="OperatingPoint.ForSpecificity(LabeledScores, double)"/>.
    /// All values are NaN when either class is absent.
    /// </summary>
    public static OperatingPoint SensitivityAtSpecificity(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double targetSpecificity) =>
        OperatingPoint.ForSpecificity(scores, labels, targetSpecificity);

    /// <inheritdoc cref="SensitivityAtSpecificity(ReadOnlySpan{double}, ReadOnlySpan{int}, double)"/>
    public static OperatingPoint SensitivityAtSpecificity(LabeledScores data, double targetSpecificity) =>
        OperatingPoint.ForSpecificity(data, targetSpecificity);
}
