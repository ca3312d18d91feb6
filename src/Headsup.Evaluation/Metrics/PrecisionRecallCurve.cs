namespace Headsup.Evaluation.Metrics;

/// <summary>
/// Precision–recall curve, as sklearn.metrics.precision_recall_curve: one point per distinct score threshold in
/// increasing threshold order (so recall decreases), followed by the point (recall 0, precision 1) with no threshold.
/// Recall is NaN when there are no positives (sklearn 1.2 sets it to 1).
/// </summary>
/// <param name="Precisions">Precision at each threshold, then 1.</param>
/// <param name="Recalls">Recall at each threshold, then 0.</param>
/// <param name="Thresholds">Increasing thresholds; one fewer than the points.</param>
public sealed record PrecisionRecallCurve(IReadOnlyList<double> Precisions, IReadOnlyList<double> Recalls, IReadOnlyList<double> Thresholds)
{
    /// <summary>Computes the curve.</summary>
    /// <param name="scores">One finite score per row.</param>
    /// <param name="labels">One label per row, 0 or 1.</param>
    public static PrecisionRecallCurve Compute(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) =>
        Compute(LabeledScores.Create(scores, labels));

    /// <summary>Computes the curve for already sorted rows.</summary>
    public static PrecisionRecallCurve Compute(LabeledScores data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (tps, fps, thresholds) = data.CumulativeCounts();
        var m = tps.Length;
        var precision = new double[m + 1];
        var recall = new double[m + 1];
        var th = new double[m];
        double positives = data.Positives;
        for (var i = 0; i < m; i++)
        {
            var r = m - 1 - i;
            precision[r] = (double)tps[i] / (tps[i] + fps[i]);
            recall[r] = positives > 0 ? tps[i] / positives : double.NaN;
            th[r] = thresholds[i];
        }

        precision[m] = 1;
        recall[m] = 0;
        return new PrecisionRecallCurve(precision, recall, th);
    }
}
