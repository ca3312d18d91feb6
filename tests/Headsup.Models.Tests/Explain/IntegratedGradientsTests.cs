using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

public sealed class IntegratedGradientsTests
{
    [Theory]
    [InlineData("small-cnn")]
    [InlineData("resnet18")]
    public void Completeness_SumOfAttributionsMatchesTheOutputDifference(string architecture)
    {
        TorchTestSetup.Seed(11);
        using var network = NetworkFactory.Create(architecture, 1, 6, pretrained: false);
        using var x = rand(1, 1, 64, 64);
        var (average, black, white) = IntegratedGradients.BlackAndWhite(network, x, steps: 200, batchSize: 50);
        foreach (var run in new[] { black, white })
        {
            double difference = run.OutputAtInput - run.OutputAtBaseline;
            Assert.True(run.CompletenessGap <= (0.05 * Math.Abs(difference)) + 1e-3, $"sum {run.AttributionSum} vs f(x) − f(x′) = {difference}");
        }

        Assert.Equal(64 * 64, average.Length);
        Assert.Equal(0.5 * (black.AttributionSum + white.AttributionSum), average.Sum(v => (double)v), 3);
    }

    [Fact]
    public void BaselineEqualToInput_GivesZeroAttributions()
    {
        // The path has zero length: every attribution is (x − x′) × gradient = 0, and so is the output difference.
        TorchTestSetup.Seed(3);
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        using var x = full(new long[] { 1, 1, 64, 64 }, 0.3f);
        var result = IntegratedGradients.Compute(network, x, x.clone(), steps: 10);
        Assert.All(result.Attributions, v => Assert.Equal(0f, v));
        Assert.Equal(result.OutputAtInput, result.OutputAtBaseline, 6);
    }

    [Fact]
    public void Compute_LeavesParametersTrainable_AndRejectsBadShapes()
    {
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        using var x = rand(1, 1, 64, 64);
        IntegratedGradients.Compute(network, x, zeros_like(x), steps: 4);
        Assert.All(network.parameters(), p => Assert.True(p.requires_grad));
        Assert.Throws<ArgumentException>(() => IntegratedGradients.Compute(network, rand(2, 1, 64, 64), zeros(2, 1, 64, 64)));
    }

    [Fact]
    public void Xrai_Cancelled_StopsBeforeTheNextBatch_AndLeavesTheNetworkUsable()
    {
        // The service's background overlay pass yields to a new study by cancelling: the explanation stops with
        // OperationCanceledException at the next batch of path points, and parameters are trainable again.
        TorchTestSetup.Seed(5);
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        using var x = rand(1, 1, 64, 64);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var options = ExplainOptions.Default with { Steps = 100, BatchSize = 4, Cancellation = cancel.Token };
        Assert.Throws<OperationCanceledException>(() => Explainer.Explain(network, x, ExplainMethod.Xrai, options));
        Assert.Throws<OperationCanceledException>(() => IntegratedGradients.Compute(network, x, zeros_like(x), steps: 10, cancellationToken: cancel.Token));
        Assert.All(network.parameters(), p => Assert.True(p.requires_grad));
        var heatmap = Explainer.Explain(network, x, ExplainMethod.Xrai, options with { Cancellation = CancellationToken.None, Steps = 4 }).Heatmap;
        Assert.Equal(64 * 64, heatmap.Length);
    }
}
