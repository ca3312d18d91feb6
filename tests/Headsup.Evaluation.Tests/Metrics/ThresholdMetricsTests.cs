using Headsup.Evaluation.Metrics;
using Xunit;

namespace Headsup.Evaluation.Tests.Metrics;

public sealed class ThresholdMetricsTests
{
    [Fact]
    public void Compute_HandTable_AtHalf()
    {
        var (scores, labels) = OperatingPointTests.TenRows;

        // ≥ 0.5: 0.9 (1), 0.8 (1), 0.7 (0), 0.6 (1), 0.5 (0), 0.5 (1); below: 0.4 (1), 0.3, 0.2, 0.1 (0).
        var c = ThresholdMetrics.Compute(scores, labels, 0.5);
        Assert.Equal(new ConfusionCounts(0.5, 4, 2, 3, 1), c);
        Assert.Equal(10, c.Count);
        Assert.Equal(4.0 / 6, c.Precision, 15);
        Assert.Equal(4.0 / 5, c.Recall, 15);
        Assert.Equal(c.Recall, c.Sensitivity);
        Assert.Equal(3.0 / 5, c.Specificity, 15);
        Assert.Equal(8.0 / 11, c.F1, 15);
        Assert.Equal(7.0 / 10, c.Accuracy, 15);
        Assert.Equal(3.0 / 4, c.NegativePredictiveValue, 15);
    }

    [Fact]
    public void Compute_AboveEveryScore_PrecisionNaN_RecallAndF1Zero()
    {
        var (scores, labels) = OperatingPointTests.TenRows;
        var c = ThresholdMetrics.Compute(scores, labels, 0.95);
        Assert.Equal(new ConfusionCounts(0.95, 0, 0, 5, 5), c);
        Assert.True(double.IsNaN(c.Precision));
        Assert.Equal(0, c.Recall);
        Assert.Equal(0, c.F1);
        Assert.Equal(1, c.Specificity);
    }

    [Fact]
    public void Compute_AtLowestScore_AllPositive()
    {
        var (scores, labels) = OperatingPointTests.TenRows;
        var c = ThresholdMetrics.Compute(scores, labels, 0.1);
        Assert.Equal(new ConfusionCounts(0.1, 5, 5, 0, 0), c);
        Assert.True(double.IsNaN(c.NegativePredictiveValue));
        Assert.Equal(0, c.Specificity);
    }

    [Fact]
    public void Compute_NoPositives_RecallNaN()
    {
        var c = ThresholdMetrics.Compute([0.2, 0.7], [0, 0], 0.5);
        Assert.True(double.IsNaN(c.Recall));
        Assert.Equal(0, c.Precision);
        Assert.Equal(0.5, c.Specificity);
    }
}
