using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

public sealed class GradCamTests
{
    /// <summary>
    /// The head is global average pooling then a linear layer, so ∂logit_o/∂A_k(i, j) = W[o, k] / (h·w) at every
    /// position and Grad-CAM reduces to CAM: ReLU(Σ_k W[o, k] A_k) / (h·w), upsampled. That map is computed here by hand
    /// from the feature map and the head weights (no autograd), with PyTorch's bilinear rule for align_corners false
    /// (source = (destination + 0.5) · in/out − 0.5, clamped at 0) written out.
    /// </summary>
    [Theory]
    [InlineData(NetworkFactory.SmallCnn, 64, 0)]
    [InlineData(NetworkFactory.ResNet18, 96, 2)]
    [InlineData(NetworkFactory.ResNet18ImageNet, 128, 1)]
    public void Compute_EqualsCamFromHeadWeights(string architecture, int size, int output)
    {
        TorchTestSetup.Seed(31);
        using var network = NetworkFactory.Create(architecture, 1, 3, pretrained: false);
        NetworkShapeTests.TrainSteps(network, 1);
        network.eval();
        using var x = rand(1, 1, size, size);
        float[] features, weights;
        long k, h, w;
        using (no_grad())
        using (var map = network.FeatureMap(x))
        {
            (k, h, w) = (map.shape[1], map.shape[2], map.shape[3]);
            features = map.contiguous().data<float>().ToArray();
            weights = network.state_dict()["head.weight"].contiguous().data<float>().ToArray();
        }

        var cam = new double[h * w];
        for (long i = 0; i < h * w; i++)
        {
            double sum = 0;
            for (long c = 0; c < k; c++)
            {
                sum += weights[(output * k) + c] * features[(c * h * w) + i];
            }

            cam[i] = Math.Max(0, sum) / (h * w);
        }

        var expected = new double[size * size];
        for (int y = 0; y < size; y++)
        {
            var (y0, y1, ly) = Source(y, h, size);
            for (int x0 = 0; x0 < size; x0++)
            {
                var (xa, xb, lx) = Source(x0, w, size);
                expected[(y * size) + x0] = ((1 - ly) * (((1 - lx) * cam[(y0 * w) + xa]) + (lx * cam[(y0 * w) + xb])))
                    + (ly * (((1 - lx) * cam[(y1 * w) + xa]) + (lx * cam[(y1 * w) + xb])));
            }
        }

        var gradCam = GradCam.Compute(network, x, output);
        double scale = expected.Max();
        Assert.True(scale > 0, "the CAM is all zero: the test would prove nothing");
        double worst = expected.Zip(gradCam).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(worst <= 1e-5 * scale, $"{architecture}: max |Grad-CAM − CAM| = {worst:E2} (CAM max {scale:E2})");
    }

    [Fact]
    public void Compute_LeavesEvalMode_TrainableParametersAndNoGradients()
    {
        TorchTestSetup.Seed(32);
        using var network = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 2, pretrained: false);
        network.train();
        var frozen = network.parameters().First();
        frozen.requires_grad = false;
        using var x = rand(1, 1, 64, 64);
        GradCam.Compute(network, x, 1);
        Assert.False(network.training);
        Assert.False(frozen.requires_grad);
        Assert.All(network.parameters().Skip(1), p => Assert.True(p.requires_grad));
        Assert.All(network.parameters(), p => Assert.True(p.grad is null || p.grad.count_nonzero().item<long>() == 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(network, x, 2));
    }

    private static (long Low, long High, double Weight) Source(int destination, long input, int output)
    {
        double source = Math.Max(0, ((destination + 0.5) * input / output) - 0.5);
        long low = (long)source;
        return (low, Math.Min(low + 1, input - 1), source - low);
    }
}
