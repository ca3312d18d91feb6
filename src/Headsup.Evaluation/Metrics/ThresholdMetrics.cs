namespace Headsup.Evaluation.Metrics;

/// <summary>Confusion counts and the metrics derived from them at a fixed threshold (positive when score ≥ threshold).</summary>
public static class ThresholdMetrics
{
    /// <summary>Counts at <paramref name="threshold"/>.</summary>
    /// <param name="scores">One finite score per row.</param>
    /// <param name="labels">One label per row, 0 or 1.</param>
    /// <param name="threshold">Rows scoring at or above it are predicted positive.</param>
    public static ConfusionCounts Compute(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double threshold) =>
        Compute(LabeledScores.Create(scores, labels), threshold);

    /// <summary>Counts at <paramref name="threshold"/> for already sorted rows.</summary>
    public static ConfusionCounts Compute(LabeledScores data, double threshold)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (double.IsNaN(threshold))
        {
            throw new ArgumentException("threshold is NaN", nameof(threshold));
        }

        var groups = data.GroupsAtOrAbove(threshold);
        var predictedPositive = groups == 0 ? 0 : data.GroupEnds[groups - 1];
        long tp = 0;
        for (var k = 0; k < predictedPositive; k++)
        {
            tp += data.SortedLabels[k];
        }

        return ConfusionCounts.FromTotals(threshold, data.Positives, data.Negatives, tp, predictedPositive - tp);
    }
}
