namespace Headsup.Evaluation.Metrics;

/// <summary>
/// Confusion counts at one threshold (a row is predicted positive when its score is ≥ the threshold) and the metrics
/// derived from them. A ratio whose denominator is zero is NaN (sklearn would warn and return 0).
/// </summary>
/// <param name="Threshold">The threshold the counts were taken at.</param>
/// <param name="TruePositives">Label 1, predicted positive.</param>
/// <param name="FalsePositives">Label 0, predicted positive.</param>
/// <param name="TrueNegatives">Label 0, predicted negative.</param>
/// <param name="FalseNegatives">Label 1, predicted negative.</param>
public readonly record struct ConfusionCounts(double Threshold, long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>Number of rows.</summary>
    public long Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Precision (positive predictive value): TP / (TP + FP).</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>Recall: TP / (TP + FN). The same number as <see cref="Sensitivity"/>.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Sensitivity (true positive rate), the clinical name for <see cref="Recall"/>.</summary>
    public double Sensitivity => Recall;

    /// <summary>Specificity (true negative rate): TN / (TN + FP), i.e. 1 − false positive rate.</summary>
    public double Specificity => Ratio(TrueNegatives, TrueNegatives + FalsePositives);

    /// <summary>Negative predictive value: TN / (TN + FN).</summary>
    public double NegativePredictiveValue => Ratio(TrueNegatives, TrueNegatives + FalseNegatives);

    /// <summary>F1 score: 2TP / (2TP + FP + FN), the harmonic mean of precision and recall.</summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>Accuracy: (TP + TN) / n.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Count);

    /// <summary>Counts at <paramref name="threshold"/> from positive and negative totals and the predicted-positive counts.</summary>
    internal static ConfusionCounts FromTotals(double threshold, long positives, long negatives, long truePositives, long falsePositives) =>
        new(threshold, truePositives, falsePositives, negatives - falsePositives, positives - truePositives);

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;
}
