using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Explain;

/// <summary>
/// Grad-CAM (Selvaraju et al., ICCV 2017) on <see cref="ClassifierNetwork.FeatureMap"/>: the gradient of one logit
/// with respect to the last convolutional block's output A (K×h×w), channel weights w_k = the spatial mean of that
/// gradient, map = ReLU(Σ_k w_k A_k), upsampled bilinearly (align_corners false) to the input's H×W.
/// Because the head is global average pooling followed by a linear layer, w_k = W[output, k] / (h·w) and Grad-CAM is
/// CAM (Zhou et al., CVPR 2016) divided by h·w. Only the head is differentiated: the feature map is computed once
/// without gradients. The network is put in eval mode; parameters get no gradients.
/// </summary>
public static class GradCam
{
    /// <summary>The H×W Grad-CAM map (row-major, ≥ 0) of logit <paramref name="output"/> for <paramref name="input"/> (1×C×H×W).</summary>
    /// <exception cref="ArgumentException">The input is not one image, or <paramref name="output"/> is out of range.</exception>
    public static float[] Compute(ClassifierNetwork network, Tensor input, int output = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[0] != 1)
        {
            throw new ArgumentException($"input must be 1×C×H×W, got [{string.Join(',', input.shape)}]", nameof(input));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(output);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(output, network.Outputs);
        using var frozen = new FrozenParameters(network);
        using var scope = NewDisposeScope();
        Tensor features;
        using (no_grad())
        {
            features = network.FeatureMap(input.to(FrozenParameters.ParameterType(network))).to(ScalarType.Float32);
        }

        var leaf = features.detach().to(FrozenParameters.ParameterType(network)).requires_grad_(true);
        using (enable_grad())
        {
            network.Head(leaf)[0, output].backward();
        }

        var weights = leaf.grad!.to(ScalarType.Float32).mean([2, 3], keepdim: true);
        var map = nn.functional.relu((weights * features).sum(1, keepdim: true));
        var upsampled = nn.functional.interpolate(map, [input.shape[2], input.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
        return upsampled.contiguous().data<float>().ToArray();
    }
}
