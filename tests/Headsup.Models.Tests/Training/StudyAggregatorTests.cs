using Headsup.Models.Packaging;
using Headsup.Training;
using Xunit;

namespace Headsup.Models.Tests.Training;

public sealed class StudyAggregatorTests
{
    [Fact]
    public void TopKMean_AveragesTheHighest()
    {
        double p = StudyAggregator.Aggregate([0.1, 0.9, 0.2, 0.7, 0.8], new StudyAggregation { Method = "top-k-mean", K = 3 });
        Assert.Equal((0.9 + 0.8 + 0.7) / 3, p, 12);
    }

    [Fact]
    public void TopKMean_FewerSlicesThanK_UsesAll()
    {
        Assert.Equal(0.5, StudyAggregator.Aggregate([0.4, 0.6], new StudyAggregation { K = 3 }), 12);
    }

    [Fact]
    public void NoisyOrAndMax_AreHandComputed()
    {
        Assert.Equal(1 - (0.9 * 0.8), StudyAggregator.Aggregate([0.1, 0.2], new StudyAggregation { Method = "noisy-or" }), 12);
        Assert.Equal(0.2, StudyAggregator.Aggregate([0.1, 0.2], new StudyAggregation { Method = "max" }), 12);
    }

    [Fact]
    public void Calibration_IsAppliedToTheLogitOfTheAggregate()
    {
        var aggregation = new StudyAggregation { K = 1, Calibration = new PlattParameters { A = 2, B = -1 } };
        double raw = 0.7, logit = Math.Log(raw / (1 - raw));
        Assert.Equal(1 / (1 + Math.Exp(-((2 * logit) - 1))), StudyAggregator.Aggregate([raw, 0.1], aggregation), 12);
    }

    [Fact]
    public void Empty_IsNaN_AndUnknownMethodThrows()
    {
        Assert.True(double.IsNaN(StudyAggregator.Aggregate([], new StudyAggregation())));
        Assert.Throws<ModelException>(() => StudyAggregator.Aggregate([0.5], new StudyAggregation { Method = "vote" }));
    }

    [Fact]
    public void OperatingPoint_ReachesTheSensitivity_AndFallsBackWithOneClass()
    {
        double[] p = [0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9];
        int[] y = [0, 0, 1, 0, 1, 0, 1, 1];
        var (threshold, _) = TrainingRun.ChooseOperatingPoint(p, y, 1.0);
        Assert.Equal(0.3, threshold, 12);
        Assert.Equal(0.5, TrainingRun.ChooseOperatingPoint(p, [0, 0, 0, 0, 0, 0, 0, 0], 0.9).Threshold);
        Assert.Equal(1, TrainingRun.Calibrate([1.0, 2.0], [0, 1]).A); // too few to fit: identity
    }
}
