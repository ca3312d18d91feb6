using Headsup.Models.Packaging;
using Headsup.Triage;
using Xunit;

namespace Headsup.Triage.Tests;

public class StudyScoringTests
{
    private static SliceResult Slice(int n, double p, double area, double subdural = 0) => new()
    {
        SopInstanceUid = "1.2.3." + n,
        File = $"f{n}.dcm",
        InstanceNumber = n,
        Z = n * 5.0,
        Probability = p,
        BrainAreaCm2 = area,
        Subtypes = new Dictionary<string, double> { ["subdural"] = subdural },
    };

    [Fact]
    public void Little_brain_slices_are_reported_but_not_counted()
    {
        // hand-computed: largest area 100, cut 25 → slices 2, 3, 4 count; top-3 mean of 0.2, 0.8, 0.6 = 0.5333…
        var slices = new[] { Slice(1, 0.9, 10), Slice(2, 0.2, 100), Slice(3, 0.8, 90), Slice(4, 0.6, 80), Slice(5, 0.95, 20) };
        var score = StudyScoring.Score(slices, new StudyAggregation { Method = "top-k-mean", K = 3 }, 0.25, 2);
        Assert.Equal((0.2 + 0.8 + 0.6) / 3, score.Probability, 12);
        Assert.Equal([false, true, true, true, false], score.Slices.Select(s => s.InStudyScore));
        Assert.Equal([2, 3], score.KeySlices);
        Assert.Equal(5, score.Slices.Count);
    }

    [Fact]
    public void Without_a_cut_every_slice_counts_and_one_noisy_slice_does_not_decide()
    {
        var slices = Enumerable.Range(0, 40).Select(i => Slice(i, i == 17 ? 0.99 : 0.02, 100)).ToList();
        var score = StudyScoring.Score(slices, new StudyAggregation { Method = "top-k-mean", K = 3 }, 0, 3);
        Assert.Equal((0.99 + 0.02 + 0.02) / 3, score.Probability, 12);
        Assert.Equal(17, score.KeySlices[0]);
    }

    [Fact]
    public void Study_calibration_is_applied_to_the_aggregate()
    {
        var slices = new[] { Slice(1, 0.5, 50), Slice(2, 0.5, 50) };
        var aggregation = new StudyAggregation { Method = "top-k-mean", K = 3, Calibration = new PlattParameters { A = 2, B = -1 } };
        var score = StudyScoring.Score(slices, aggregation, 0.25, 3);
        Assert.Equal(1 / (1 + Math.Exp(1)), score.Probability, 12); // logit(0.5) = 0 → sigmoid(2·0 − 1)
    }

    [Fact]
    public void Subtype_scores_are_top_k_means_over_counted_slices()
    {
        var slices = new[] { Slice(1, 0.1, 100, 0.9), Slice(2, 0.1, 100, 0.3), Slice(3, 0.1, 100, 0.6), Slice(4, 0.1, 100, 0.0), Slice(5, 0.1, 5, 1.0) };
        var score = StudyScoring.Score(slices, new StudyAggregation { Method = "top-k-mean", K = 2 }, 0.25, 3);
        Assert.Equal((0.9 + 0.6) / 2, score.Subtypes["subdural"], 12);
    }

    [Fact]
    public void No_slices_give_no_probability()
    {
        var score = StudyScoring.Score([], new StudyAggregation(), 0.25, 3);
        Assert.True(double.IsNaN(score.Probability));
        Assert.Empty(score.KeySlices);
    }
}
