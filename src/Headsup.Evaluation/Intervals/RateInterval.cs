namespace Headsup.Evaluation.Intervals;

/// <summary>A proportion with its Wilson score 95 % interval.</summary>
/// <param name="Value">Hits / n.</param>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
/// <param name="Hits">Hits.</param>
/// <param name="N">Trials.</param>
public sealed record RateInterval(double Value, double Low, double High, int Hits, int N)
{
    /// <summary>Wilson score interval (z = 1.96).</summary>
    public static RateInterval Wilson(int hits, int n)
    {
        if (n == 0)
        {
            return new RateInterval(double.NaN, double.NaN, double.NaN, 0, 0);
        }

        const double z = 1.959963984540054;
        double p = (double)hits / n, z2 = z * z;
        double centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        double half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n))) / (1 + (z2 / n));
        return new RateInterval(p, Math.Max(0, centre - half), Math.Min(1, centre + half), hits, n);
    }
}
