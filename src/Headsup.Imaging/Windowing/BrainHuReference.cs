namespace Headsup.Imaging.Windowing;

/// <summary>
/// The reference distribution of intracranial HU that <see cref="WindowEstimator"/> fits display histograms against: a
/// mixture of CSF (8 %, 8 ± 6 HU), white matter (42 %, 28 ± 5 HU) and grey matter (50 %, 37 ± 5 HU), the textbook
/// tissue values with the spread of 5 mm non-contrast head CT noise. It was not fitted to any data set; real slices vary
/// around it (their intracranial interquartile range runs from about 5 to 15 HU with noise, level and pathology), which
/// is what limits the width estimate when the histogram is the only evidence. Kept as a cumulative table at 0.5 HU steps.
/// </summary>
public static class BrainHuReference
{
    /// <summary>Lowest HU of the table (the CDF is 0 below).</summary>
    public const double LowestHu = -300;

    /// <summary>Table step in HU.</summary>
    public const double StepHu = 0.5;

    private static readonly (double Weight, double MeanHu, double SdHu)[] s_tissues =
    [
        (0.08, 8, 6),
        (0.42, 28, 5),
        (0.50, 37, 5),
    ];

    private static readonly float[] s_cdf = BuildTable(1801);

    /// <summary>P(HU ≤ <paramref name="hu"/>) under the reference (linear between table steps, 0 and 1 outside).</summary>
    public static double Cdf(double hu)
    {
        double x = (hu - LowestHu) / StepHu;
        if (x <= 0)
        {
            return 0;
        }

        if (x >= s_cdf.Length - 1)
        {
            return 1;
        }

        int i = (int)x;
        double f = x - i;
        return s_cdf[i] + (f * (s_cdf[i + 1] - s_cdf[i]));
    }

    private static float[] BuildTable(int length)
    {
        var table = new float[length];
        for (int i = 0; i < length; i++)
        {
            double hu = LowestHu + (i * StepHu);
            double p = 0;
            foreach (var (weight, mean, sd) in s_tissues)
            {
                p += weight * NormalCdf((hu - mean) / sd);
            }

            table[i] = (float)p;
        }

        return table;
    }

    /// <summary>Φ(z) through erf (Abramowitz–Stegun 7.1.26, absolute error below 1.5e-7).</summary>
    private static double NormalCdf(double z)
    {
        double x = Math.Abs(z) / Math.Sqrt(2);
        double t = 1 / (1 + (0.3275911 * x));
        double poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
        double erf = 1 - (poly * Math.Exp(-x * x));
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
