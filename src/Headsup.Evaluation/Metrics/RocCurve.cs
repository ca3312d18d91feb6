namespace Headsup.Evaluation.Metrics;

/// <summary>
/// Receiver operating characteristic curve, as sklearn.metrics.roc_curve: one point per distinct score threshold
/// (descending), preceded by the point (0, 0). The first threshold is +∞ (sklearn ≥ 1.3; sklearn 1.2 uses max + 1).
/// False positive rates are NaN when there are no negatives, true positive rates NaN when there are no positives.
/// </summary>
/// <param name="FalsePositiveRates">1 − specificity at each threshold, non-decreasing.</param>
/// <param name="TruePositiveRates">Sensitivity at each threshold, non-decreasing.</param>
/// <param name="Thresholds">Decreasing thresholds; a row is positive when its score is ≥ the threshold.</param>
public sealed record RocCurve(IReadOnlyList<double> FalsePositiveRates, IReadOnlyList<double> TruePositiveRates, IReadOnlyList<double> Thresholds)
{
    /// <summary>Computes the curve.</summary>
    /// <param name="scores">One finite score per row.</param>
    /// <param name="labels">One label per row, 0 or 1.</param>
    /// <param name="dropIntermediate">Drop collinear points that do not change the curve's shape, as sklearn does by default.</param>
    public static RocCurve Compute(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, bool dropIntermediate = true) =>
        Compute(LabeledScores.Create(scores, labels), dropIntermediate);

    /// <summary>Computes the curve for already sorted rows.</summary>
    public static RocCurve Compute(LabeledScores data, bool dropIntermediate = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (tps, fps, thresholds) = data.CumulativeCounts();
        var keep = new List<int>(tps.Length);
        for (var i = 0; i < tps.Length; i++)
        {
            var corner = i == 0 || i == tps.Length - 1 ||
                (fps[i + 1] - (2 * fps[i]) + fps[i - 1]) != 0 ||
                (tps[i + 1] - (2 * tps[i]) + tps[i - 1]) != 0;
            if (!dropIntermediate || corner)
            {
                keep.Add(i);
            }
        }

        var fpr = new double[keep.Count + 1];
        var tpr = new double[keep.Count + 1];
        var th = new double[keep.Count + 1];
        double positives = data.Positives, negatives = data.Negatives;
        fpr[0] = negatives > 0 ? 0 : double.NaN;
        tpr[0] = positives > 0 ? 0 : double.NaN;
        th[0] = double.PositiveInfinity;
        for (var j = 0; j < keep.Count; j++)
        {
            var i = keep[j];
            fpr[j + 1] = negatives > 0 ? fps[i] / negatives : double.NaN;
            tpr[j + 1] = positives > 0 ? tps[i] / positives : double.NaN;
            th[j + 1] = thresholds[i];
        }

        return new RocCurve(fpr, tpr, th);
    }
}
