namespace Headsup.Phantom.Lesions;

/// <summary>Draws an index with probability proportional to its weight.</summary>
public static class WeightedDraw
{
    /// <summary>
    /// An index of <paramref name="weights"/> drawn in proportion to the weights (zero weights never drawn); the
    /// weights must have a positive sum. Uses one <see cref="Random.NextDouble"/>.
    /// </summary>
    public static int Index(IReadOnlyList<double> weights, Random random)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(random);
        double u = random.NextDouble() * weights.Sum();
        for (int k = 0; k < weights.Count; k++)
        {
            if (weights[k] <= 0)
            {
                continue;
            }

            u -= weights[k];
            if (u < 0)
            {
                return k;
            }
        }

        for (int k = weights.Count - 1; k >= 0; k--)
        {
            if (weights[k] > 0)
            {
                return k;
            }
        }

        throw new ArgumentException("the weights need a positive sum", nameof(weights));
    }
}
