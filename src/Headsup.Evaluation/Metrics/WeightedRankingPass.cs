namespace Headsup.Evaluation.Metrics;

/// <summary>
/// One pass over rows sorted by descending score with integer row weights (1 for the data itself, multiplicities for a
/// bootstrap resample), giving AUC, average precision and confusion counts at chosen thresholds without re-sorting.
/// </summary>
internal static class WeightedRankingPass
{
    /// <summary>Runs the pass.</summary>
    /// <param name="data">Sorted rows.</param>
    /// <param name="weights">Weight per sorted position, or empty for weight 1 everywhere.</param>
    /// <param name="thresholdGroups">For each threshold, the number of leading score groups at or above it.</param>
    /// <param name="truePositives">Receives the weighted true positives at each threshold.</param>
    /// <param name="falsePositives">Receives the weighted false positives at each threshold.</param>
    /// <returns>Weighted positives and negatives, ROC AUC and average precision (NaN when undefined).</returns>
    public static (long Positives, long Negatives, double Auc, double AveragePrecision) Run(
        LabeledScores data,
        ReadOnlySpan<int> weights,
        ReadOnlySpan<int> thresholdGroups,
        Span<long> truePositives,
        Span<long> falsePositives)
    {
        var labels = data.SortedLabels;
        var ends = data.GroupEnds;
        var unit = weights.IsEmpty;
        long tp = 0, fp = 0;

        // Twice the trapezoid area in count units: each group adds fp_g * (2 * tp_before + tp_g).
        long twiceArea = 0;
        double precisionSum = 0;
        var start = 0;
        for (var g = 0; g < ends.Length; g++)
        {
            RecordThresholds(g, tp, fp, thresholdGroups, truePositives, falsePositives);
            long groupPositives = 0, groupTotal = 0;
            var end = ends[g];
            if (unit)
            {
                for (var k = start; k < end; k++)
                {
                    groupPositives += labels[k];
                }

                groupTotal = end - start;
            }
            else
            {
                for (var k = start; k < end; k++)
                {
                    var w = weights[k];
                    groupPositives += w * labels[k];
                    groupTotal += w;
                }
            }

            var groupNegatives = groupTotal - groupPositives;
            twiceArea += groupNegatives * ((2 * tp) + groupPositives);
            tp += groupPositives;
            fp += groupNegatives;
            if (groupPositives > 0)
            {
                precisionSum += groupPositives * ((double)tp / (tp + fp));
            }

            start = end;
        }

        RecordThresholds(ends.Length, tp, fp, thresholdGroups, truePositives, falsePositives);
        var auc = tp > 0 && fp > 0 ? twiceArea / (2.0 * tp * fp) : double.NaN;
        var averagePrecision = tp > 0 ? precisionSum / tp : double.NaN;
        return (tp, fp, auc, averagePrecision);
    }

    private static void RecordThresholds(int group, long tp, long fp, ReadOnlySpan<int> thresholdGroups, Span<long> truePositives, Span<long> falsePositives)
    {
        for (var t = 0; t < thresholdGroups.Length; t++)
        {
            if (thresholdGroups[t] == group)
            {
                truePositives[t] = tp;
                falsePositives[t] = fp;
            }
        }
    }
}
