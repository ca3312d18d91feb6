namespace Headsup.Evaluation.Metrics;

/// <summary>
/// Binary labels (0 = negative, 1 = positive) and scores, validated and sorted once by descending score with equal
/// scores grouped, so that curves, ranking metrics, threshold metrics and bootstrap resamples reuse one ordering.
/// A row is predicted positive at threshold t when its score is ≥ t.
/// </summary>
public sealed class LabeledScores
{
    private LabeledScores(double[] sortedScores, byte[] sortedLabels, int[] groupEnds, int positives)
    {
        SortedScores = sortedScores;
        SortedLabels = sortedLabels;
        GroupEnds = groupEnds;
        Positives = positives;
    }

    /// <summary>Number of rows.</summary>
    public int Count => SortedScores.Length;

    /// <summary>Number of rows labelled 1.</summary>
    public int Positives { get; }

    /// <summary>Number of rows labelled 0.</summary>
    public int Negatives => Count - Positives;

    /// <summary>True when both classes are present, so AUC, sensitivity and specificity are defined.</summary>
    public bool HasBothClasses => Positives > 0 && Negatives > 0;

    /// <summary>Number of distinct score values.</summary>
    public int DistinctScoreCount => GroupEnds.Length;

    /// <summary>Scores sorted descending (stable for equal scores).</summary>
    internal double[] SortedScores { get; }

    /// <summary>Labels in the order of <see cref="SortedScores"/>.</summary>
    internal byte[] SortedLabels { get; }

    /// <summary>Exclusive end position of each group of equal scores, in descending score order.</summary>
    internal int[] GroupEnds { get; }

    /// <summary>Validates and sorts the rows.</summary>
    /// <param name="scores">One finite score per row (probabilities or logits).</param>
    /// <param name="labels">One label per row, each 0 or 1.</param>
    /// <exception cref="ArgumentException">Lengths differ, a label is not 0/1, or a score is NaN or infinite.</exception>
    public static LabeledScores Create(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels", nameof(labels));
        }

        var n = scores.Length;
        var keys = new double[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(scores[i]))
            {
                throw new ArgumentException($"score {i} is {scores[i]}: scores must be finite", nameof(scores));
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"label {i} is {labels[i]}: labels must be 0 or 1", nameof(labels));
            }

            // Negated so an ascending sort gives descending scores; +0.0 avoids a -0.0 key.
            keys[i] = -scores[i] + 0.0;
            order[i] = i;
        }

        Array.Sort(keys, order);
        var sortedScores = new double[n];
        var sortedLabels = new byte[n];
        var positives = 0;
        var groupEnds = new List<int>();
        for (var k = 0; k < n; k++)
        {
            sortedScores[k] = scores[order[k]];
            sortedLabels[k] = (byte)labels[order[k]];
            positives += sortedLabels[k];
            if (k > 0 && sortedScores[k] != sortedScores[k - 1])
            {
                groupEnds.Add(k);
            }
        }

        if (n > 0)
        {
            groupEnds.Add(n);
        }

        return new LabeledScores(sortedScores, sortedLabels, [.. groupEnds], positives);
    }

    /// <summary>Number of leading score groups whose score is ≥ <paramref name="threshold"/>.</summary>
    internal int GroupsAtOrAbove(double threshold)
    {
        // Group scores descend: find the first group whose score is below the threshold.
        int lo = 0, hi = GroupEnds.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (GroupScore(mid) >= threshold)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Score of group <paramref name="group"/>.</summary>
    internal double GroupScore(int group) => SortedScores[GroupEnds[group] - 1];

    /// <summary>Cumulative true and false positive counts at each distinct threshold (sklearn's _binary_clf_curve).</summary>
    internal (long[] TruePositives, long[] FalsePositives, double[] Thresholds) CumulativeCounts()
    {
        var groups = GroupEnds.Length;
        var tps = new long[groups];
        var fps = new long[groups];
        var thresholds = new double[groups];
        long tp = 0;
        var start = 0;
        for (var g = 0; g < groups; g++)
        {
            for (var k = start; k < GroupEnds[g]; k++)
            {
                tp += SortedLabels[k];
            }

            tps[g] = tp;
            fps[g] = GroupEnds[g] - tp;
            thresholds[g] = GroupScore(g);
            start = GroupEnds[g];
        }

        return (tps, fps, thresholds);
    }
}
