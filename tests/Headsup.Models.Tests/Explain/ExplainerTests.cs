using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

public sealed class ExplainerTests
{
    public static TheoryData<ExplainMethod> Methods => [.. Enum.GetValues<ExplainMethod>()];

    private static readonly ExplainOptions s_quick = new() { Steps = 8, BatchSize = 8 };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Explain_ReturnsAnSxSHeatmapAndTheLogit(ExplainMethod method)
    {
        TorchTestSetup.Seed(41);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 2, pretrained: false);
        using var x = rand(1, 1, 64, 64);
        var explanation = Explainer.Explain(network, x, method, s_quick with { Output = 1 });
        float logit;
        using (no_grad())
        using (var logits = network.forward(x))
        {
            logit = logits[0, 1].item<float>();
        }

        Assert.Equal((method, 64, 64 * 64, (double)logit), (explanation.Method, explanation.Size, explanation.Heatmap.Length, explanation.Logit));
        Assert.All(explanation.Heatmap, v => Assert.True(float.IsFinite(v)));
        bool isXrai = method is ExplainMethod.Xrai or ExplainMethod.XraiFast;
        Assert.Equal(isXrai, explanation.Ranks is not null);
        Assert.Equal(isXrai, explanation.Regions.Count > 0);
    }

    [Fact]
    public void Explain_IntegratedGradients_IsTheChannelMaxOfTheBlackAndWhiteAverage()
    {
        TorchTestSetup.Seed(42);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 3, 1, pretrained: false);
        using var x = rand(1, 3, 64, 64);
        var (average, _, _) = IntegratedGradients.BlackAndWhite(network, x, 8, 8);
        var heatmap = Explainer.Explain(network, x, ExplainMethod.IntegratedGradients, s_quick).Heatmap;
        const int pixels = 64 * 64;
        Assert.Equal(Enumerable.Range(0, pixels).Select(p => Math.Max(average[p], Math.Max(average[pixels + p], average[(2 * pixels) + p]))), heatmap);
    }

    /// <summary>With a region, nothing outside it ranks above anything inside it, for every method.</summary>
    [Theory]
    [MemberData(nameof(Methods))]
    public void Explain_WithRegion_NothingOutsideRanksAboveInside(ExplainMethod method)
    {
        TorchTestSetup.Seed(43);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 1, pretrained: false);
        using var x = rand(1, 1, 96, 96);
        var region = XraiTests.Disc(96, 40, 55, 30);
        var explanation = Explainer.Explain(network, x, method, s_quick with { Region = region });
        var inside = explanation.Heatmap.Where((_, p) => region[p] != 0).ToList();
        var outside = explanation.Heatmap.Where((_, p) => region[p] == 0).ToList();
        Assert.True(outside.Max() <= inside.Min(), $"outside max {outside.Max()} > inside min {inside.Min()}");
        Assert.Equal(inside.Min(), outside.Min());
        if (explanation.Ranks is not null)
        {
            XraiTests.AssertRegionInvariants(explanation.Heatmap, explanation.Ranks, explanation.Regions, region);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Explain_LeavesEvalMode_RequiresGradAsItWas_NoParameterGradients(ExplainMethod method)
    {
        TorchTestSetup.Seed(44);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 1, pretrained: false);
        network.train();
        var frozen = network.parameters().Last();
        frozen.requires_grad = false;
        using var x = rand(1, 1, 64, 64);
        Explainer.Explain(network, x, method, s_quick);
        Assert.False(network.training);
        Assert.False(frozen.requires_grad);
        Assert.All(network.parameters().SkipLast(1), p => Assert.True(p.requires_grad));
        Assert.All(network.parameters(), p => Assert.True(p.grad is null, "a parameter collected a gradient"));
    }

    [Fact]
    public void Explain_RejectsBadInputs()
    {
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 1, pretrained: false);
        using var x = rand(1, 1, 64, 64);
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, rand(1, 1, 64, 72), ExplainMethod.GradCam));
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, rand(1, 2, 64, 64), ExplainMethod.GradCam));
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, rand(2, 1, 64, 64), ExplainMethod.GradCam));
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, x, ExplainMethod.GradCam, new ExplainOptions { Output = 1 }));
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, x, ExplainMethod.GradCam, new ExplainOptions { Region = new byte[10] }));
        Assert.Throws<ArgumentException>(() => Explainer.Explain(network, x, ExplainMethod.GradCam, new ExplainOptions { Region = new byte[64 * 64] }));
    }
}
