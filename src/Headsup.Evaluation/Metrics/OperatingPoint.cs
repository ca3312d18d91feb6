namespace Headsup.Evaluation.Metrics;

/// <summary>
/// A decision threshold chosen on (validation) data, with the sensitivity (recall) and specificity it gives there.
/// A row is predicted positive when its score is ≥ <see cref="Threshold"/>. When the data lack a class the threshold,
/// sensitivity and specificity are NaN.
/// </summary>
/// <param name="Method">How the point was chosen: "sensitivity", "specificity" or "youden".</param>
/// <param name="Target">The requested sensitivity or specificity (NaN for Youden).</param>
/// <param name="Threshold">The chosen threshold; +∞ means "no row is positive".</param>
/// <param name="Sensitivity">Sensitivity (recall, true positive rate) at the threshold.</param>
/// <param name="Specificity">Specificity (1 − false positive rate) at the threshold.</param>
public sealed record OperatingPoint(string Method, double Target, double Threshold, double Sensitivity, double Specificity)
{
    /// <summary>Tolerance used when comparing a rate to its target, so 0.9 reached as 9/10 counts.</summary>
    private const double RateTolerance = 1e-12;

    /// <summary>
    /// The highest threshold whose sensitivity is at least <paramref name="targetSensitivity"/> (so the best
    /// specificity among thresholds meeting the target).
    /// </summary>
    public static OperatingPoint ForSensitivity(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double targetSensitivity) =>
        ForSensitivity(LabeledScores.Create(scores, labels), targetSensitivity);

    /// <inheritdoc cref="ForSensitivity(ReadOnlySpan{double}, ReadOnlySpan{int}, double)"/>
    public static OperatingPoint ForSensitivity(LabeledScores data, double targetSensitivity)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckRate(targetSensitivity, nameof(targetSensitivity));
        if (!data.HasBothClasses)
        {
            return Undefined("sensitivity", targetSensitivity);
        }

        var (tps, fps, thresholds) = data.CumulativeCounts();
        for (var i = 0; i < tps.Length; i++)
        {
            var sensitivity = (double)tps[i] / data.Positives;
            if (sensitivity >= targetSensitivity - RateTolerance)
            {
                return new OperatingPoint("sensitivity", targetSensitivity, thresholds[i], sensitivity, 1.0 - ((double)fps[i] / data.Negatives));
            }
        }

        throw new InvalidOperationException("unreachable: the lowest threshold has sensitivity 1");
    }

    /// <summary>
    /// The threshold with the highest sensitivity among thresholds whose specificity is at least
    /// <paramref name="targetSpecificity"/>; among equal sensitivities the highest threshold. When even the highest
    /// score breaks the target the threshold is +∞ (sensitivity 0, specificity 1).
    /// </summary>
    public static OperatingPoint ForSpecificity(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels, double targetSpecificity) =>
        ForSpecificity(LabeledScores.Create(scores, labels), targetSpecificity);

    /// <inheritdoc cref="ForSpecificity(ReadOnlySpan{double}, ReadOnlySpan{int}, double)"/>
    public static OperatingPoint ForSpecificity(LabeledScores data, double targetSpecificity)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckRate(targetSpecificity, nameof(targetSpecificity));
        if (!data.HasBothClasses)
        {
            return Undefined("specificity", targetSpecificity);
        }

        var (tps, fps, thresholds) = data.CumulativeCounts();
        var best = new OperatingPoint("specificity", targetSpecificity, double.PositiveInfinity, 0, 1);
        for (var i = 0; i < tps.Length; i++)
        {
            var specificity = 1.0 - ((double)fps[i] / data.Negatives);
            if (specificity < targetSpecificity - RateTolerance)
            {
                break;
            }

            var sensitivity = (double)tps[i] / data.Positives;
            if (sensitivity > best.Sensitivity)
            {
                best = best with { Threshold = thresholds[i], Sensitivity = sensitivity, Specificity = specificity };
            }
        }

        return best;
    }

    /// <summary>The threshold maximising Youden's J = sensitivity + specificity − 1; among ties the highest threshold.</summary>
    public static OperatingPoint Youden(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels) => Youden(LabeledScores.Create(scores, labels));

    /// <inheritdoc cref="Youden(ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static OperatingPoint Youden(LabeledScores data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasBothClasses)
        {
            return Undefined("youden", double.NaN);
        }

        var (tps, fps, thresholds) = data.CumulativeCounts();
        OperatingPoint? best = null;
        long bestJ = long.MinValue;
        for (var i = 0; i < tps.Length; i++)
        {
            // J * P * N = tp * N - fp * P, compared exactly in integers.
            var j = (tps[i] * data.Negatives) - (fps[i] * data.Positives);
            if (j > bestJ)
            {
                bestJ = j;
                best = new OperatingPoint("youden", double.NaN, thresholds[i], (double)tps[i] / data.Positives, 1.0 - ((double)fps[i] / data.Negatives));
            }
        }

        return best!;
    }

    private static OperatingPoint Undefined(string method, double target) => new(method, target, double.NaN, double.NaN, double.NaN);

    private static void CheckRate(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "must be in [0, 1]");
        }
    }
}
