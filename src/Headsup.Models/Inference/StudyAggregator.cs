using Headsup.Models.Packaging;

namespace Headsup.Models;

/// <summary>
/// Slice probabilities → one study probability, as the package says (<see cref="StudyAggregation"/>). "top-k-mean"
/// averages the k highest calibrated slice probabilities, then applies the study calibration: unlike "any slice &gt;
/// 0.5", one noisy slice among 40 does not decide the study, and a bleed seen on a few adjacent slices does.
/// </summary>
public static class StudyAggregator
{
    /// <summary>
    /// Contiguity-aware aggregation: each slice's probability is capped by the higher of its two neighbours' (in series
    /// order), then the top k are averaged. A bleed spans adjacent slices and keeps its score; a single hot slice between
    /// cold ones (a streak, a calcification, the skull base) drops to its neighbours' level.
    /// </summary>
    public const string ContiguousTopKMean = "contiguous-top-k-mean";

    /// <summary>The known methods.</summary>
    public static readonly IReadOnlyList<string> Methods = ["top-k-mean", ContiguousTopKMean, "max", "noisy-or"];

    /// <summary>min(p[i], max(p[i−1], p[i+1])) for every slice in series order; a lone slice keeps its value.</summary>
    public static double[] Contiguous(IReadOnlyList<double> sliceProbabilities)
    {
        ArgumentNullException.ThrowIfNull(sliceProbabilities);
        int n = sliceProbabilities.Count;
        var capped = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (n == 1)
            {
                capped[i] = sliceProbabilities[i];
                continue;
            }

            double neighbour = Math.Max(i > 0 ? sliceProbabilities[i - 1] : 0, i < n - 1 ? sliceProbabilities[i + 1] : 0);
            capped[i] = Math.Min(sliceProbabilities[i], neighbour);
        }

        return capped;
    }

    /// <summary>The study probability for the given slice probabilities (in series order: the contiguous method needs it).</summary>
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
            ContiguousTopKMean => Contiguous(sliceProbabilities).OrderByDescending(p => p).Take(Math.Max(1, aggregation.K)).Average(),
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
