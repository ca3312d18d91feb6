namespace Headsup.Evaluation.Calibration;

/// <summary>
/// Calibration of predicted probabilities against binary labels. Probabilities must lie in [0, 1]. Bins are equal
/// width: bin b of B holds p in [b/B, (b+1)/B), and the last bin also holds p = 1.
/// </summary>
public static class CalibrationMetrics
{
    /// <summary>The default number of bins.</summary>
    public const int DefaultBins = 10;

    /// <summary>
    /// Expected calibration error: Σ_b |B_b|/n · |acc_b − conf_b|, where acc_b is the fraction of rows in bin b labelled 1
    /// and conf_b their mean predicted probability. NaN for no rows.
    /// </summary>
    public static double ExpectedCalibrationError(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = DefaultBins)
    {
        var curve = ReliabilityCurve(probabilities, labels, bins);
        if (probabilities.IsEmpty)
        {
            return double.NaN;
        }

        double sum = 0;
        foreach (var bin in curve)
        {
            if (bin.Count > 0)
            {
                sum += bin.Count * Math.Abs(bin.ObservedFrequency - bin.MeanPredicted);
            }
        }

        return sum / probabilities.Length;
    }

    /// <summary>Per-bin mean predicted probability, observed frequency and count (empty bins included, with NaN means).</summary>
    public static IReadOnlyList<ReliabilityBin> ReliabilityCurve(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels, int bins = DefaultBins)
    {
        Validate(probabilities, labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var counts = new long[bins];
        var positives = new long[bins];
        var sums = new double[bins];
        for (var i = 0; i < probabilities.Length; i++)
        {
            var b = BinOf(probabilities[i], bins);
            counts[b]++;
            positives[b] += labels[i];
            sums[b] += probabilities[i];
        }

        var result = new ReliabilityBin[bins];
        for (var b = 0; b < bins; b++)
        {
            var mean = counts[b] > 0 ? sums[b] / counts[b] : double.NaN;
            var observed = counts[b] > 0 ? (double)positives[b] / counts[b] : double.NaN;
            result[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, counts[b], mean, observed);
        }

        return result;
    }

    /// <summary>Brier score: mean of (p − y)², as sklearn brier_score_loss. NaN for no rows.</summary>
    public static double BrierScore(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        Validate(probabilities, labels);
        if (probabilities.IsEmpty)
        {
            return double.NaN;
        }

        double sum = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var d = labels[i] - probabilities[i];
            sum += d * d;
        }

        return sum / probabilities.Length;
    }

    /// <summary>The bin index of probability <paramref name="p"/> among <paramref name="bins"/> equal-width bins.</summary>
    internal static int BinOf(double p, int bins) => Math.Min((int)(p * bins), bins - 1);

    private static void Validate(ReadOnlySpan<double> probabilities, ReadOnlySpan<int> labels)
    {
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities but {labels.Length} labels", nameof(labels));
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!(probabilities[i] is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(probabilities), probabilities[i], $"probability {i} is outside [0, 1]");
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"label {i} is {labels[i]}: labels must be 0 or 1", nameof(labels));
            }
        }
    }
}
