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

    [Fact]
    public void ContiguousTopKMean_ALoneHotSliceDropsToItsNeighbours_ARunKeepsItsScore()
    {
        var aggregation = new StudyAggregation { Method = StudyAggregator.ContiguousTopKMean, K = 2 };

        // One hot slice (0.95) between cold ones: capped at max(0.1, 0.2) = 0.2. Hand-computed caps:
        // [min(.1,.95), min(.95,.2), min(.2,.95), min(.1,.2)] = [.1, .2, .2, .1] → top 2 mean 0.2.
        Assert.Equal([0.1, 0.2, 0.2, 0.1], StudyAggregator.Contiguous([0.1, 0.95, 0.2, 0.1]));
        Assert.Equal(0.2, StudyAggregator.Aggregate([0.1, 0.95, 0.2, 0.1], aggregation), 12);

        // The same peak on two adjacent slices keeps it: caps [.1, .9, .9, .1] → 0.9, where plain top-2 mean gives 0.925.
        Assert.Equal(0.9, StudyAggregator.Aggregate([0.1, 0.95, 0.9, 0.1], aggregation), 12);
        Assert.Equal(0.925, StudyAggregator.Aggregate([0.1, 0.95, 0.9, 0.1], aggregation with { Method = "top-k-mean" }), 12);

        // A single slice keeps its value; order matters (it is series order), values do not get larger than they were.
        Assert.Equal(0.7, StudyAggregator.Aggregate([0.7], aggregation), 12);
        Assert.Equal(0.1, StudyAggregator.Aggregate([0.95, 0.1, 0.9, 0.1], aggregation with { K = 1 }), 12);
        var random = new Random(3);
        var p = Enumerable.Range(0, 40).Select(_ => random.NextDouble()).ToArray();
        Assert.All(StudyAggregator.Contiguous(p).Zip(p), x => Assert.True(x.First <= x.Second));
    }
}
