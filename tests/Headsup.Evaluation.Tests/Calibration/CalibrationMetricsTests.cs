using Headsup.Evaluation.Calibration;
using Xunit;

namespace Headsup.Evaluation.Tests.Calibration;

public sealed class CalibrationMetricsTests
{
    private static readonly double[] s_probabilities = [0.05, 0.15, 0.12, 0.55, 0.95, 0.91, 1.0, 0.0];
    private static readonly int[] s_labels = [0, 1, 0, 1, 1, 0, 1, 0];

    [Fact]
    public void ExpectedCalibrationError_HandTable()
    {
        // Bin 0: {0.05, 0.0} conf 0.025 acc 0; bin 1: {0.15, 0.12} conf 0.135 acc 0.5; bin 5: {0.55} acc 1;
        // bin 9: {0.95, 0.91, 1.0} conf 0.95333 acc 0.66667. ECE = (2·0.025 + 2·0.365 + 0.45 + 3·0.28667) / 8.
        var expected = ((2 * 0.025) + (2 * 0.365) + 0.45 + (3 * ((2.86 / 3) - (2.0 / 3)))) / 8;
        Assert.Equal(expected, CalibrationMetrics.ExpectedCalibrationError(s_probabilities, s_labels), 12);
        Assert.Equal(0.26125, CalibrationMetrics.ExpectedCalibrationError(s_probabilities, s_labels), 12);
    }

    [Fact]
    public void ReliabilityCurve_HandTable_EmptyBinsNaN()
    {
        var bins = CalibrationMetrics.ReliabilityCurve(s_probabilities, s_labels);
        Assert.Equal(10, bins.Count);
        Assert.Equal([2L, 2, 0, 0, 0, 1, 0, 0, 0, 3], bins.Select(b => b.Count));
        Assert.Equal(0.1, bins[1].Lower, 15);
        Assert.Equal(0.2, bins[1].Upper, 15);
        Assert.Equal(0.135, bins[1].MeanPredicted, 15);
        Assert.Equal(0.5, bins[1].ObservedFrequency, 15);
        Assert.True(double.IsNaN(bins[2].MeanPredicted));
        Assert.True(double.IsNaN(bins[2].ObservedFrequency));
        Assert.Equal(2.0 / 3, bins[9].ObservedFrequency, 15);
    }

    [Fact]
    public void ReliabilityCurve_BinEdges_LowerInclusiveAndOneInLastBin()
    {
        var bins = CalibrationMetrics.ReliabilityCurve([0.0, 0.5, 1.0], [0, 0, 1], bins: 2);
        Assert.Equal([1L, 2], bins.Select(b => b.Count));
    }

    [Fact]
    public void BrierScore_HandComputed()
    {
        // (0.05² + 0.85² + 0.12² + 0.45² + 0.05² + 0.91² + 0 + 0) / 8.
        Assert.Equal(1.7725 / 8, CalibrationMetrics.BrierScore(s_probabilities, s_labels), 15);
    }

    [Fact]
    public void PerfectlyCalibratedBins_EceZero()
    {
        Assert.Equal(0, CalibrationMetrics.ExpectedCalibrationError([0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75], [1, 0, 0, 0, 1, 1, 1, 0]), 15);
    }

    [Fact]
    public void Empty_IsNaN_And_InvalidProbability_Throws()
    {
        Assert.True(double.IsNaN(CalibrationMetrics.ExpectedCalibrationError([], [])));
        Assert.True(double.IsNaN(CalibrationMetrics.BrierScore([], [])));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.BrierScore([1.2], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationMetrics.ExpectedCalibrationError([double.NaN], [1]));
    }
}
