using Headsup.Models.Networks;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Networks;

/// <summary>Loads ResNet18.onnx once, into TorchSharp and into ONNX Runtime.</summary>
public sealed class PretrainedFixture : IDisposable
{
    public PretrainedFixture()
    {
        TorchTestSetup.Seed(0);
        Path = PretrainedWeights.RequireResNet18Onnx();
        Backbone = ResNet18Backbone.LoadImageNet(Path);
        Backbone.eval();
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        Session = new InferenceSession(Path, options);
    }

    public string Path { get; }

    public ResNet18Backbone Backbone { get; }

    public InferenceSession Session { get; }

    /// <summary>ONNX Runtime's 512 features for one ONNX-space image 3×224×224.</summary>
    public float[] OnnxFeatures(float[] image)
    {
        var input = new DenseTensor<float>(image, [1, 3, 224, 224]);
        using var results = Session.Run([NamedOnnxValue.CreateFromTensor(Session.InputMetadata.Keys.Single(), input)]);
        var output = results.Single().AsTensor<float>();
        Assert.Equal([1, 512, 1, 1], output.Dimensions.ToArray());
        return [.. output];
    }

    public void Dispose()
    {
        Backbone.Dispose();
        Session.Dispose();
    }
}

public sealed class OnnxRuntimeParityTests(PretrainedFixture fixture) : IClassFixture<PretrainedFixture>
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void Backbone_Features_EqualOnnxRuntime()
    {
        TorchTestSetup.Seed(1234);
        // Three images: uniform RGB noise, smooth structure and a grey image, converted to the ONNX input space.
        using var noise = rand(1, 3, 224, 224);
        using var ramp = linspace(0, 1, 224).view(1, 1, 1, 224).expand(1, 3, 224, 224) * 0.5 + rand(1, 3, 224, 224) * 0.5;
        using var grey = rand(1, 1, 224, 224).expand(1, 3, 224, 224);
        using var rgb = cat([noise, ramp, grey], 0);
        using var x = ResNet18Backbone.ToOnnxInput(rgb).contiguous();
        float[] features;
        using (no_grad())
        {
            using var f = fixture.Backbone.forward(x);
            Assert.Equal([3L, 512], f.shape);
            features = f.data<float>().ToArray();
        }

        var images = x.data<float>().ToArray();
        int plane = 3 * 224 * 224;
        float worst = 0;
        for (int n = 0; n < 3; n++)
        {
            var expected = fixture.OnnxFeatures(images[(n * plane)..((n + 1) * plane)]);
            var actual = features[(n * 512)..((n + 1) * 512)];
            Assert.True(TorchTestSetup.MaxAbs(expected) > 0.5f, "ONNX Runtime features are all near zero: the comparison would be empty");
            worst = Math.Max(worst, TorchTestSetup.MaxAbsDiff(expected, actual));
        }

        Assert.True(worst <= Tolerance, $"max |TorchSharp − ONNX Runtime| = {worst:E3} over 3×512 features (tolerance {Tolerance:E0})");
        Console.WriteLine($"ResNet18Backbone vs ONNX Runtime: max abs diff {worst:E3}");
    }

    [Fact]
    public void Classifier_GreyInput_FeatureMapPoolsToOnnxRuntimeFeatures()
    {
        TorchTestSetup.Seed(99);
        using var net = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 1, 2, pretrained: true, onnxPath: fixture.Path);
        Assert.True(net.IsPretrained);
        net.eval();
        using var grey = rand(1, 1, 224, 224);
        float[] pooled;
        using (no_grad())
        {
            using var map = net.FeatureMap(grey);
            Assert.Equal([1L, 512, 7, 7], map.shape);
            using var p = ResNet18Backbone.Pool(map);
            pooled = p.data<float>().ToArray();
        }

        // The same image the way ML.NET feeds it: grey replicated to RGB, ×255, BGR, minus channel means.
        using var onnxInput = ResNet18Backbone.ToOnnxInput(grey.expand(1, 3, 224, 224)).contiguous();
        var expected = fixture.OnnxFeatures(onnxInput.data<float>().ToArray());
        var diff = TorchTestSetup.MaxAbsDiff(expected, pooled);
        Assert.True(diff <= Tolerance, $"max |classifier pooled map − ONNX Runtime| = {diff:E3}");
    }

    [Fact]
    public void ToOnnxInput_IsBgrTimes255MinusMeans()
    {
        using var rgb = tensor(new float[] { 1f, 0.5f, 0f }, [1, 3, 1, 1]);
        var v = ResNet18Backbone.ToOnnxInput(rgb).data<float>().ToArray();
        Assert.Equal(0f - 103.06262f, v[0], 1e-4f);
        Assert.Equal(127.5f - 115.902885f, v[1], 1e-4f);
        Assert.Equal(255f - 123.15163f, v[2], 1e-4f);
    }

    [Fact]
    public void Pretrained_FineTunes_WithBatchNormStatistics()
    {
        TorchTestSetup.Seed(5);
        using var net = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 3, 1, pretrained: true, onnxPath: fixture.Path);
        using (var random = NetworkFactory.Create(NetworkFactory.ResNet18ImageNet, 3, 1, pretrained: false))
        {
            Assert.Equal(NetworkShapeTests.StateDictNames(random), NetworkShapeTests.StateDictNames(net));
        }

        var (first, last) = NetworkShapeTests.TrainSteps(net, 3);
        Assert.True(last < first, $"loss did not fall: {first} → {last}");
    }
}
