namespace Headsup.Evaluation.Intervals;

/// <summary>Settings for percentile bootstrap confidence intervals.</summary>
/// <param name="Resamples">Number of resamples (each draws n rows with replacement).</param>
/// <param name="Seed">Seed of the resampling; the same seed and data give the same intervals on any machine.</param>
/// <param name="ConfidenceLevel">Two-sided coverage, e.g. 0.95 for the 2.5th and 97.5th percentiles.</param>
public sealed record BootstrapOptions(int Resamples = BootstrapOptions.DefaultResamples, ulong Seed = BootstrapOptions.DefaultSeed, double ConfidenceLevel = 0.95)
{
    /// <summary>Default number of resamples.</summary>
    public const int DefaultResamples = 2000;

    /// <summary>Default seed.</summary>
    public const ulong DefaultSeed = 20190801;

    /// <summary>Default options: 2,000 resamples, seed 20190801, 95 %.</summary>
    public static BootstrapOptions Default { get; } = new();

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Resamples, 1, nameof(Resamples));
        if (!(ConfidenceLevel is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "must be in (0, 1)");
        }
    }
}
