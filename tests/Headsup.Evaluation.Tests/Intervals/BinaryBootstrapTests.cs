using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Metrics;
using Xunit;

namespace Headsup.Evaluation.Tests.Intervals;

public sealed class BinaryBootstrapTests
{
    private static readonly BootstrapOptions s_options = new(Resamples: 500, Seed: 1234);

    [Fact]
    public void Run_IntervalsContainPointEstimates()
    {
        var c = Fixtures.Random("r", 500, seed: 1);
        var data = LabeledScores.Create(c.Scores, c.Labels);
        var result = BinaryBootstrap.Run(data, [0.5, 0.3], s_options);
        Assert.Equal(RankingMetrics.RocAuc(data), result.Auc.Value);
        Assert.Equal(RankingMetrics.AveragePrecision(data), result.AveragePrecision.Value);
        Assert.Equal(ThresholdMetrics.Compute(data, 0.3), result.Thresholds[1].Counts);
        var all = new List<ConfidenceInterval> { result.Auc, result.AveragePrecision };
        foreach (var t in result.Thresholds)
        {
            all.AddRange([t.Precision, t.Recall, t.Specificity, t.F1]);
        }

        foreach (var ci in all)
        {
            Assert.InRange(ci.Value, ci.Low, ci.High);
            Assert.True(ci.High > ci.Low);
            Assert.Equal(500, ci.ValidResamples);
        }
    }

    [Fact]
    public void Run_SameSeed_SameIntervals_OtherSeed_Different()
    {
        var c = Fixtures.Random("r", 400, seed: 2);
        var data = LabeledScores.Create(c.Scores, c.Labels);
        var a = BinaryBootstrap.Run(data, [0.5], s_options);
        var b = BinaryBootstrap.Run(data, [0.5], s_options);
        var other = BinaryBootstrap.Run(data, [0.5], s_options with { Seed = 99 });
        Assert.Equal(a.Auc, b.Auc);
        Assert.Equal(a.AveragePrecision, b.AveragePrecision);
        Assert.Equal(a.Thresholds[0], b.Thresholds[0]);
        Assert.NotEqual(a.Auc, other.Auc);
    }

    [Fact]
    public void Run_LargerSample_NarrowerAucInterval()
    {
        var small = LabeledScores.Create(Fixtures.Random("s", 200, seed: 4).Scores, Fixtures.Random("s", 200, seed: 4).Labels);
        var largeCase = Fixtures.Random("l", 5000, seed: 4);
        var large = LabeledScores.Create(largeCase.Scores, largeCase.Labels);
        var smallCi = BinaryBootstrap.Run(small, [], s_options).Auc;
        var largeCi = BinaryBootstrap.Run(large, [], s_options).Auc;
        Assert.True(largeCi.High - largeCi.Low < (smallCi.High - smallCi.Low) / 2, $"{largeCi} vs {smallCi}");
    }

    [Fact]
    public void Run_RarePositive_DropsUndefinedResamplesAndCountsThem()
    {
        // One positive in twelve: about (11/12)^12 ≈ 35 % of resamples draw no positive, so AUC is undefined there.
        var data = LabeledScores.Create([0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.15, 0.25, 0.35, 0.45, 0.55], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        var result = BinaryBootstrap.Run(data, [0.5], s_options);
        Assert.InRange(result.Auc.ValidResamples, 250, 400);
        Assert.Equal(500, result.Thresholds[0].Specificity.ValidResamples);
        Assert.Equal(1.0, result.Auc.Value);
        Assert.Equal(1.0, result.Auc.High);
    }

    [Fact]
    public void Run_OneClass_NaNValueAndBounds()
    {
        var data = LabeledScores.Create([0.2, 0.4, 0.6], [0, 0, 0]);
        var result = BinaryBootstrap.Run(data, [0.5], s_options);
        Assert.True(double.IsNaN(result.Auc.Value) && double.IsNaN(result.Auc.Low) && double.IsNaN(result.Auc.High));
        Assert.Equal(0, result.Auc.ValidResamples);
        Assert.True(double.IsNaN(result.Thresholds[0].Recall.Value));
        Assert.False(double.IsNaN(result.Thresholds[0].Specificity.Low));
    }

    [Fact]
    public void FromResamples_UsesLinearInterpolation()
    {
        // numpy.percentile([1..5], [2.5, 97.5]) = [1.1, 4.9].
        var ci = ConfidenceInterval.FromResamples(3, [5, 1, double.NaN, 3, 2, 4], 0.95);
        Assert.Equal(1.1, ci.Low, 12);
        Assert.Equal(4.9, ci.High, 12);
        Assert.Equal(5, ci.ValidResamples);
    }

    [Fact]
    public void Options_Invalid_Throws()
    {
        var data = LabeledScores.Create([0.2, 0.6], [0, 1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryBootstrap.Run(data, [], new BootstrapOptions(Resamples: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryBootstrap.Run(data, [], new BootstrapOptions(ConfidenceLevel: 1)));
    }
}
