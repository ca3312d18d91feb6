using System.Text.Json.Serialization;

namespace Headsup.Evaluation.Intervals;

/// <summary>
/// A point estimate with its percentile bootstrap interval. Resamples in which the metric is undefined (for example
/// no positives drawn, for AUC) are dropped; <see cref="ValidResamples"/> says how many were kept. Bounds are NaN
/// when the point estimate is undefined or no resample was valid.
/// </summary>
/// <param name="Value">The metric on the full data.</param>
/// <param name="Low">Lower percentile bound.</param>
/// <param name="High">Upper percentile bound.</param>
/// <param name="ValidResamples">Resamples where the metric was defined.</param>
public sealed record ConfidenceInterval(
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("ci_low")] double Low,
    [property: JsonPropertyName("ci_high")] double High,
    [property: JsonPropertyName("valid_resamples")] int ValidResamples)
{
    /// <summary>
    /// Percentile interval of <paramref name="values"/> (NaN entries dropped) with numpy's default linear interpolation
    /// between order statistics.
    /// </summary>
    public static ConfidenceInterval FromResamples(double value, IEnumerable<double> values, double confidenceLevel)
    {
        ArgumentNullException.ThrowIfNull(values);
        var valid = values.Where(v => !double.IsNaN(v)).ToArray();
        if (double.IsNaN(value) || valid.Length == 0)
        {
            return new ConfidenceInterval(value, double.NaN, double.NaN, valid.Length);
        }

        Array.Sort(valid);
        var alpha = (1 - confidenceLevel) / 2;
        return new ConfidenceInterval(value, Percentile(valid, alpha), Percentile(valid, 1 - alpha), valid.Length);
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        var fraction = position - lower;
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * fraction);
    }
}
