using Headsup.Inputs;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Testing;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>bfloat16 scoring and explanations against float32, with the shipped model, on generated studies.</summary>
[Collection("triage")]
public class PrecisionTests(TriageFixture fixture)
{
    private static string DefaultModel => Path.Combine(TestData.RepoRoot, "models", "default");

    [SkippableFact]
    public void Bf16_scores_agree_with_fp32()
    {
        Skip.IfNot(InferencePrecisions.CpuHasBf16, "this CPU has no AVX512-BF16/AMX: bfloat16 is never chosen here");
        using var package = Models.Packaging.ModelPackage.Load(DefaultModel);
        var series = Series.StudyScanner.Scan(Path.Combine(fixture.PhantomRoot, fixture.Summary.Studies[0].Files[0], "..")).Studies[0];
        var sorted = new Series.Selection.SeriesSelector().Select(series).Selected!;
        using var fp32 = new SeriesScorer(package, InferencePrecision.Float32);
        using var bf16 = new SeriesScorer(package, InferencePrecision.BFloat16);
        var a = fp32.Score(sorted, 8).Slices;
        var b = bf16.Score(sorted, 8).Slices;
        Assert.Equal(a.Count, b.Count);
        double worst = a.Zip(b).Max(p => Math.Abs(p.First.Probability - p.Second.Probability));
        Assert.True(worst < 0.05, $"largest slice probability difference {worst}");
        var aggregation = package.Manifest.Study;
        double studyA = StudyScoring.Score(a, aggregation, 0.25, 3).Probability, studyB = StudyScoring.Score(b, aggregation, 0.25, 3).Probability;
        Assert.True(Math.Abs(studyA - studyB) < 0.02, $"study probabilities {studyA} and {studyB}");
    }

    [SkippableFact]
    public void Bf16_integrated_gradients_rank_pixels_like_fp32()
    {
        Skip.IfNot(InferencePrecisions.CpuHasBf16, "this CPU has no AVX512-BF16/AMX: bfloat16 is never chosen here");
        using var triager = StudyTriager.Load(DefaultModel);
        var study = fixture.Summary.Studies.First(s => s.PositiveSliceCount > 0);
        var image = SliceImageLoader.Load(Path.Combine(fixture.PhantomRoot, study.Files[study.Files.Count / 2]));
        var options = ExplainOptions.Default with { Steps = 24 };
        var (a, region, _) = triager.ExplainSlice(image, null, null, ExplainMethod.IntegratedGradients, options, InferencePrecision.Float32);
        var (b, _, _) = triager.ExplainSlice(image, null, null, ExplainMethod.IntegratedGradients, options, InferencePrecision.BFloat16);
        var inside = Enumerable.Range(0, region.Length).Where(i => region[i] != 0).ToArray();
        double rho = RankCorrelation.Spearman(inside.Select(i => a[i]).ToArray(), inside.Select(i => b[i]).ToArray());
        Assert.True(rho > 0.85, $"Spearman ρ between float32 and bfloat16 IG maps {rho}");
    }
}
