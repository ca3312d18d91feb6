using Headsup.Evaluation.Intervals;
using Xunit;

namespace Headsup.Evaluation.Tests.Intervals;

/// <summary>Wilson score intervals against hand-computed values (z = 1.96).</summary>
public class RateIntervalTests
{
    [Theory]
    [InlineData(5, 10, 0.5, 0.2366, 0.7634)] // centre 0.5, half-width 1.96·√(0.025 + 0.0096)/1.3841
    [InlineData(0, 10, 0.0, 0.0, 0.2775)] // upper = z²/(n + z²)
    [InlineData(10, 10, 1.0, 0.7225, 1.0)]
    [InlineData(29, 40, 0.725, 0.5717, 0.8389)] // the XRAI pointing game of the lesion check
    public void Wilson_MatchesHandComputedBounds(int hits, int n, double value, double low, double high)
    {
        var r = RateInterval.Wilson(hits, n);
        Assert.Equal(value, r.Value, 10);
        Assert.Equal(low, r.Low, 4);
        Assert.Equal(high, r.High, 4);
        Assert.Equal((hits, n), (r.Hits, r.N));
    }

    [Fact]
    public void Wilson_OfNoTrials_IsUndefined()
    {
        Assert.True(double.IsNaN(RateInterval.Wilson(0, 0).Value));
    }
}
