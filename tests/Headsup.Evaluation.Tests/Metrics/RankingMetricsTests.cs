using Headsup.Evaluation.Metrics;
using Xunit;

namespace Headsup.Evaluation.Tests.Metrics;

public sealed class RankingMetricsTests
{
    [Fact]
    public void RocAuc_HandComputedPairs_CountsTiesAsHalf()
    {
        // Positives 0.5, 0.3; negatives 0.5, 0.1: pairs 0.5 (tie) + 1 + 0 + 1 = 2.5 of 4.
        Assert.Equal(0.625, RankingMetrics.RocAuc([0.5, 0.3, 0.5, 0.1], [1, 1, 0, 0]), 15);
        Assert.Equal(0.75, RankingMetrics.RocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 15);
        Assert.Equal(0.5, RankingMetrics.RocAuc([0.2, 0.2, 0.2], [0, 1, 1]), 15);
    }

    [Fact]
    public void AveragePrecision_HandComputed_IsStepwiseSum()
    {
        // Descending: 0.8 (1), 0.4 (0), 0.35 (1), 0.1 (0): 0.5 · 1 + 0.5 · 2/3.
        Assert.Equal(0.5 + (0.5 * 2 / 3), RankingMetrics.AveragePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 15);
    }

    [Fact]
    public void RocAuc_OneClassOrEmpty_IsNaN()
    {
        Assert.True(double.IsNaN(RankingMetrics.RocAuc([0.1, 0.9], [0, 0])));
        Assert.True(double.IsNaN(RankingMetrics.RocAuc([0.1, 0.9], [1, 1])));
        Assert.True(double.IsNaN(RankingMetrics.RocAuc([], [])));
    }

    [Fact]
    public void AveragePrecision_NoPositives_IsNaN_NoNegatives_IsOne()
    {
        Assert.True(double.IsNaN(RankingMetrics.AveragePrecision([0.1, 0.9], [0, 0])));
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([0.1, 0.9], [1, 1]));
    }

    [Fact]
    public void SensitivityAtSpecificity_OneClass_IsNaN()
    {
        var point = RankingMetrics.SensitivityAtSpecificity([0.1, 0.9], [1, 1], 0.9);
        Assert.True(double.IsNaN(point.Sensitivity));
        Assert.True(double.IsNaN(point.Threshold));
    }

    [Fact]
    public void SensitivityAtSpecificity_HandComputed_TakesBestSensitivityMeetingTarget()
    {
        var (scores, labels) = OperatingPointTests.TenRows;
        var point = RankingMetrics.SensitivityAtSpecificity(scores, labels, 0.8);
        Assert.Equal(0.6, point.Threshold);
        Assert.Equal(0.6, point.Sensitivity, 15);
        Assert.Equal(0.8, point.Specificity, 15);
    }

    [Fact]
    public void Create_InvalidInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => LabeledScores.Create([0.1, 0.2], [0, 2]));
        Assert.Throws<ArgumentException>(() => LabeledScores.Create([0.1, double.NaN], [0, 1]));
        Assert.Throws<ArgumentException>(() => LabeledScores.Create([0.1], [0, 1]));
    }

    [Fact]
    public void RocAuc_InputOrder_DoesNotMatter()
    {
        var c = Fixtures.Random("r", 300, seed: 5, roundDigits: 2);
        var order = Enumerable.Range(0, 300).Reverse().ToArray();
        Assert.Equal(
            RankingMetrics.RocAuc(c.Scores, c.Labels),
            RankingMetrics.RocAuc(order.Select(i => c.Scores[i]).ToArray(), order.Select(i => c.Labels[i]).ToArray()));
    }

    [Fact]
    public void WeightedPass_Weights_EqualDuplicatedRows()
    {
        var c = Fixtures.Random("r", 200, seed: 9, roundDigits: 1);
        var data = LabeledScores.Create(c.Scores, c.Labels);
        var random = new Random(1);
        var weights = Enumerable.Range(0, 200).Select(_ => random.Next(0, 4)).ToArray();

        // Materialise the weighted rows in sorted order and compute the metrics from scratch.
        var scores = new List<double>();
        var labels = new List<int>();
        for (var k = 0; k < 200; k++)
        {
            for (var w = 0; w < weights[k]; w++)
            {
                scores.Add(data.SortedScores[k]);
                labels.Add(data.SortedLabels[k]);
            }
        }

        var tp = new long[1];
        var fp = new long[1];
        var pass = WeightedRankingPass.Run(data, weights, [data.GroupsAtOrAbove(0.5)], tp, fp);
        Assert.Equal(RankingMetrics.RocAuc([.. scores], [.. labels]), pass.Auc, 14);
        Assert.Equal(RankingMetrics.AveragePrecision([.. scores], [.. labels]), pass.AveragePrecision, 14);
        var counts = ThresholdMetrics.Compute([.. scores], [.. labels], 0.5);
        Assert.Equal(counts.TruePositives, tp[0]);
        Assert.Equal(counts.FalsePositives, fp[0]);
    }
}
