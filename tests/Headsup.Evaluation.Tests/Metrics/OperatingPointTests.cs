using Headsup.Evaluation.Metrics;
using Xunit;

namespace Headsup.Evaluation.Tests.Metrics;

public sealed class OperatingPointTests
{
    /// <summary>
    /// Ten rows, five positives. Cumulative (TP, FP) by descending threshold: 0.9 (1,0), 0.8 (2,0), 0.7 (2,1),
    /// 0.6 (3,1), 0.5 (4,2), 0.4 (5,2), 0.3 (5,3), 0.2 (5,4), 0.1 (5,5).
    /// </summary>
    public static (double[] Scores, int[] Labels) TenRows =>
        ([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.5], [1, 1, 0, 1, 0, 1, 0, 0, 0, 1]);

    [Theory]
    [InlineData(0.8, 0.5, 0.8, 0.6)]
    [InlineData(0.9, 0.4, 1.0, 0.6)]
    [InlineData(0.2, 0.9, 0.2, 1.0)]
    [InlineData(0.0, 0.9, 0.2, 1.0)]
    public void ForSensitivity_TakesHighestThresholdMeetingTarget(double target, double threshold, double sensitivity, double specificity)
    {
        var (scores, labels) = TenRows;
        var point = OperatingPoint.ForSensitivity(scores, labels, target);
        Assert.Equal(threshold, point.Threshold);
        Assert.Equal(sensitivity, point.Sensitivity, 15);
        Assert.Equal(specificity, point.Specificity, 15);
        var counts = ThresholdMetrics.Compute(scores, labels, point.Threshold);
        Assert.Equal(point.Sensitivity, counts.Sensitivity, 15);
        Assert.Equal(point.Specificity, counts.Specificity, 15);
    }

    [Theory]
    [InlineData(0.8, 0.6, 0.6, 0.8)]
    [InlineData(1.0, 0.8, 0.4, 1.0)]
    [InlineData(0.6, 0.4, 1.0, 0.6)]
    public void ForSpecificity_TakesBestSensitivityMeetingTarget(double target, double threshold, double sensitivity, double specificity)
    {
        var (scores, labels) = TenRows;
        var point = OperatingPoint.ForSpecificity(scores, labels, target);
        Assert.Equal(threshold, point.Threshold);
        Assert.Equal(sensitivity, point.Sensitivity, 15);
        Assert.Equal(specificity, point.Specificity, 15);
    }

    [Fact]
    public void ForSpecificity_TopScoreIsNegative_ReturnsInfinity()
    {
        var point = OperatingPoint.ForSpecificity([0.9, 0.5, 0.1], [0, 1, 0], 1.0);
        Assert.Equal(double.PositiveInfinity, point.Threshold);
        Assert.Equal(0, point.Sensitivity);
        Assert.Equal(1, point.Specificity);
    }

    [Fact]
    public void Youden_MaximisesJ()
    {
        var (scores, labels) = TenRows;
        var point = OperatingPoint.Youden(scores, labels);
        Assert.Equal("youden", point.Method);
        Assert.Equal(0.4, point.Threshold);
        Assert.Equal(1.0, point.Sensitivity, 15);
        Assert.Equal(0.6, point.Specificity, 15);
    }

    [Fact]
    public void ForSensitivity_OneClass_IsNaN()
    {
        var point = OperatingPoint.ForSensitivity([0.1, 0.2], [0, 0], 0.9);
        Assert.True(double.IsNaN(point.Threshold));
        Assert.Throws<ArgumentOutOfRangeException>(() => OperatingPoint.ForSensitivity([0.1, 0.2], [0, 1], 1.5));
    }
}
