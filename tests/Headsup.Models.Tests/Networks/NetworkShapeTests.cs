using Headsup.Models.Networks;
using Headsup.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

public sealed class NetworkShapeTests
{
    public static TheoryData<string> Architectures => [.. NetworkFactory.Architectures];

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Forward_ShapesForOneAndThreeChannels_At224And256(string architecture)
    {
        foreach (int channels in new[] { 1, 3 })
        {
            TorchTestSetup.Seed(channels);
            using var net = NetworkFactory.Create(architecture, channels, 6, pretrained: false);
            net.eval();
            Assert.Equal(architecture, net.Architecture);
            foreach (int size in new[] { 224, 256 })
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var x = rand(2, channels, size, size);
                var map = net.FeatureMap(x);
                Assert.Equal([2L, net.FeatureChannels, size / 32, size / 32], map.shape);
                var logits = net.forward(x);
                Assert.Equal([2L, 6], logits.shape);
                Assert.True(logits.isfinite().all().item<bool>());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Forward_EqualsHeadOfFeatureMap_AndOddSmallSizesWork(string architecture)
    {
        TorchTestSetup.Seed(7);
        using var net = NetworkFactory.Create(architecture, 3, 4, pretrained: false);
        net.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = rand(2, 3, 96, 80);
        var direct = net.forward(x);
        var split = net.Head(net.FeatureMap(x));
        Assert.Equal(0f, TorchTestSetup.MaxAbsDiff(direct.data<float>().ToArray(), split.data<float>().ToArray()));
        Assert.Equal([1L, 4], net.forward(rand(1, 3, 64, 64)).shape);
        Assert.Equal([1L, 4], net.forward(rand(1, 3, 65, 77)).shape);
        Assert.Throws<ArgumentException>(() => net.forward(rand(1, 3, 32, 64)));
        Assert.Throws<ArgumentException>(() => net.forward(rand(1, 2, 64, 64)));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void SaveLoad_RoundTrip_GivesIdenticalOutputs(string architecture)
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "net.bin");
        TorchTestSetup.Seed(11);
        using var x = rand(2, 1, 64, 64);
        using var net = NetworkFactory.Create(architecture, 1, 3, pretrained: false);
        // A training step first so running statistics differ from their initial values.
        TrainSteps(net, 1);
        net.eval();
        float[] before;
        using (no_grad())
        {
            before = net.forward(x).data<float>().ToArray();
        }

        net.save(path);
        TorchTestSetup.Seed(12);
        using var other = NetworkFactory.Create(architecture, 1, 3, pretrained: false);
        Assert.Equal(StateDictNames(net), StateDictNames(other));
        other.load(path);
        other.eval();
        using (no_grad())
        {
            Assert.Equal(before, other.forward(x).data<float>().ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Sgd_FewSteps_ReduceLoss(string architecture)
    {
        TorchTestSetup.Seed(3);
        using var net = NetworkFactory.Create(architecture, 1, 1, pretrained: false);
        var (first, last) = TrainSteps(net, 5);
        Assert.True(last < first * 0.8, $"{architecture}: loss {first} → {last}");
    }

    [Fact]
    public void ParameterGroups_SplitBackboneAndHead()
    {
        using var net = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 5, 2, pretrained: false);
        Assert.Equal(["input.mix.weight", "head.weight", "head.bias"], net.HeadParameterNames);
        Assert.All(net.BackboneParameterNames, n => Assert.StartsWith("backbone.", n, StringComparison.Ordinal));
        var all = net.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(all.Order(StringComparer.Ordinal), net.HeadParameterNames.Concat(net.BackboneParameterNames).Order(StringComparer.Ordinal));
        Assert.Equal(3, net.HeadParameters().Count());
        Assert.Equal(net.BackboneParameterNames.Count, net.BackboneParameters().Count());
        Assert.Equal([1L, 2], net.forward(rand(1, 5, 64, 64)).shape);
    }

    [Fact]
    public void StateDictNames_FollowTorchvision()
    {
        using var r18 = NetworkFactory.Create(NetworkFactory.ResNet18, 3, 2, pretrained: false);
        var names = StateDictNames(r18);
        Assert.Contains("backbone.conv1.weight", names);
        Assert.Contains("backbone.layer2.0.downsample.0.weight", names);
        Assert.Contains("backbone.layer4.1.bn2.running_var", names);
        Assert.Contains("head.bias", names);
        using var imagenet = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 3, 2, pretrained: false);
        var imagenetNames = StateDictNames(imagenet);
        // CNTK's ResNet-18 has a third block in layer4.
        Assert.Equal(names.Order(StringComparer.Ordinal), imagenetNames.Where(n => !n.StartsWith("backbone.layer4.2.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("backbone.layer4.2.bn2.running_var", imagenetNames);
        using var small = NetworkFactory.Create(NetworkFactory.SmallCnn, 3, 2, pretrained: false);
        Assert.Contains("backbone.block6.bn.running_mean", StateDictNames(small));
        Assert.Throws<ArgumentException>(() => NetworkFactory.Create("vgg16", 3, 2, pretrained: false));
    }

    [Theory]
    [InlineData(NetworkFactory.SmallCnn, 3, 1_569_825L)]
    [InlineData(NetworkFactory.ResNet18, 3, 11_177_025L)]
    [InlineData(NetworkFactory.ResNet34, 3, 21_285_185L)]
    [InlineData(NetworkFactory.ResNet18ImageNet, 1, 15_897_665L)]
    [InlineData(NetworkFactory.ResNet18ImageNet, 2, 15_897_671L)]
    public void ParameterCounts(string architecture, int channels, long expected)
    {
        using var net = NetworkFactory.Create(architecture, channels, 1, pretrained: false);
        Assert.Equal(expected, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void PretrainedMissing_ThrowsTypedError()
    {
        var ex = Assert.Throws<PretrainedWeightsException>(() => NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 3, 1, pretrained: true, onnxPath: "/nonexistent/ResNet18.onnx"));
        Assert.Contains("/nonexistent/ResNet18.onnx", ex.Message, StringComparison.Ordinal);
    }

    internal static List<string> StateDictNames(nn.Module module) => [.. module.state_dict().Keys];

    /// <summary>
    /// SGD on a fixed synthetic batch (label = a bright 16×16 square is present); returns the loss before the first and
    /// after the last step, both measured in training mode on the same batch.
    /// </summary>
    internal static (double First, double Last) TrainSteps(ClassifierNetwork net, int steps)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(42);
        int n = 8;
        var x = rand([n, net.InputChannels, 64, 64], generator: generator) * 0.3;
        var y = zeros(n, net.Outputs);
        for (int i = 0; i < n; i += 2)
        {
            x[i, .., 20..36, 24..40] += 0.7;
            y[i] = 1;
        }

        net.train();
        using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9);
        double Loss()
        {
            using var s = NewDisposeScope();
            return nn.functional.binary_cross_entropy_with_logits(net.forward(x), y).item<float>();
        }

        double first = Loss();
        for (int step = 0; step < steps; step++)
        {
            using var s = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.binary_cross_entropy_with_logits(net.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        double last;
        using (no_grad())
        {
            last = Loss();
        }

        return (first, last);
    }
}
