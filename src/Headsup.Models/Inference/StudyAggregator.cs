using Headsup.Models.Packaging;

namespace Headsup.Models;

/// <summary>
/// Slice probabilities → one study probability, as the package says (<see cref="StudyAggregation"/>). "top-k-mean"
/// averages the k highest calibrated slice probabilities, then applies the study calibration: unlike "any slice &gt;
/// 0.5", one noisy slice among 40 does not decide the study, and a bleed seen on a few adjacent slices does.
/// </summary>
public static class StudyAggregator
{
    /// <summary>The study probability for the given slice probabilities.</summary>
    public static double Aggregate(IReadOnlyList<double> sliceProbabilities, StudyAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(sliceProbabilities);
        ArgumentNullException.ThrowIfNull(aggregation);
        if (sliceProbabilities.Count == 0)
        {
            return double.NaN;
        }

        double raw = aggregation.Method switch
        {
            "top-k-mean" => sliceProbabilities.OrderByDescending(p => p).Take(Math.Max(1, aggregation.K)).Average(),
            "max" => sliceProbabilities.Max(),
            "noisy-or" => 1 - sliceProbabilities.Aggregate(1.0, (acc, p) => acc * (1 - p)),
            _ => throw new ModelException($"unknown study aggregation '{aggregation.Method}'"),
        };
        if (aggregation.Calibration.A == 1 && aggregation.Calibration.B == 0)
        {
            return raw;
        }

        double clipped = Math.Clamp(raw, 1e-6, 1 - 1e-6);
        return aggregation.Calibration.Apply(Math.Log(clipped / (1 - clipped)));
    }
}
