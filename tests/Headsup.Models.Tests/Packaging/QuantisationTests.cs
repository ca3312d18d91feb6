using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Models.Tests.Networks;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Packaging;

public sealed class QuantisationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(WeightsPrecision.Float16, 0.99999)]
    [InlineData(WeightsPrecision.Int8Blocks, 0.999)]
    public void PretrainedFeatures_SurviveTheStoredPrecision(WeightsPrecision precision, double minCosine)
    {
        TorchTestSetup.Seed(5);
        using var network = NetworkFactory.Create("resnet18-imagenet", 1, 1, pretrained: true);
        network.eval();
        using var x = rand(4, 1, 224, 224);
        using var noGrad = no_grad();
        using var before = network.FeatureMap(x).mean([2, 3]);
        WeightsFile.RoundTrip(network, precision);
        using var after = network.FeatureMap(x).mean([2, 3]);
        var cosine = nn.functional.cosine_similarity(before, after, 1).data<float>().ToArray();
        var relative = ((after - before).norm() / before.norm()).item<float>();
        output.WriteLine($"{precision}: cosine {string.Join(", ", cosine)}; relative error {relative}");
        Assert.All(cosine, c => Assert.True(c > minCosine, $"cosine {c}"));
    }
}
