using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Explain;

/// <summary>
/// The one entry point for explanations: a heatmap of one logit for one S×S image, by any <see cref="ExplainMethod"/>.
/// <list type="bullet">
/// <item>Integrated Gradients: <see cref="IntegratedGradients.BlackAndWhite"/> (the black and white baselines
/// averaged), then the maximum over channels.</item>
/// <item>XRAI and its fast variant: those same per-pixel attributions ranked over <see cref="Xrai.Segments"/> by
/// <see cref="Xrai.Rank"/>; <see cref="Explanation.Ranks"/> and <see cref="Explanation.Regions"/> are filled.</item>
/// <item>Grad-CAM: <see cref="GradCam.Compute"/>.</item>
/// </list>
/// With <see cref="ExplainOptions.Region"/>, every pixel outside the region gets the heatmap's minimum inside it (and
/// XRAI rank 0), so nothing outside ranks above anything inside. The network is left in eval mode, its parameters'
/// requires_grad as they were, and every intermediate tensor is disposed.
/// </summary>
public static class Explainer
{
    /// <summary>Explains logit <see cref="ExplainOptions.Output"/> of <paramref name="network"/> at <paramref name="input"/> (1×C×S×S, [0, 1]).</summary>
    /// <exception cref="ArgumentException">The input is not one square image with the network's channel count, the output is out of range, or the region is not S×S or is empty.</exception>
    public static Explanation Explain(ClassifierNetwork network, Tensor input, ExplainMethod method, ExplainOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        options ??= ExplainOptions.Default;
        if (input.dim() != 4 || input.shape[0] != 1 || input.shape[1] != network.InputChannels || input.shape[2] != input.shape[3])
        {
            throw new ArgumentException($"input must be 1×{network.InputChannels}×S×S, got [{string.Join(',', input.shape)}]", nameof(input));
        }

        if (options.Output < 0 || options.Output >= network.Outputs)
        {
            throw new ArgumentException($"output {options.Output} is not one of the network's {network.Outputs} logits", nameof(options));
        }

        int size = (int)input.shape[2];
        int channels = (int)input.shape[1];
        RegionRestriction.Validate(options.Region, size * size);
        double logit;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            network.eval();
            logit = network.forward(input.to(FrozenParameters.ParameterType(network)))[0, options.Output].to(ScalarType.Float32).item<float>();
        }

        switch (method)
        {
            case ExplainMethod.IntegratedGradients:
            {
                var heatmap = ChannelMax(IntegratedGradients.BlackAndWhite(network, input, options.Steps, options.BatchSize, options.Output, options.Cancellation).Average, channels);
                RegionRestriction.FillOutside(heatmap, options.Region);
                return new Explanation(method, size, heatmap, null, [], logit);
            }

            case ExplainMethod.Xrai:
            case ExplainMethod.XraiFast:
            {
                var attribution = ChannelMax(IntegratedGradients.BlackAndWhite(network, input, options.Steps, options.BatchSize, options.Output, options.Cancellation).Average, channels);
                float[] pixels;
                using (var scope = NewDisposeScope())
                {
                    pixels = input.detach().cpu().contiguous().data<float>().ToArray();
                }

                var masks = Xrai.Segments(pixels, channels, size, size);
                var ranking = Xrai.Rank(attribution, masks, fast: method == ExplainMethod.XraiFast, options.Region);
                return new Explanation(method, size, ranking.Heatmap, ranking.Ranks, ranking.Regions, logit);
            }

            case ExplainMethod.GradCam:
            {
                var heatmap = GradCam.Compute(network, input, options.Output);
                RegionRestriction.FillOutside(heatmap, options.Region);
                return new Explanation(method, size, heatmap, null, [], logit);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown explanation method");
        }
    }

    /// <summary>The maximum over channels of C×H×W values: one value per pixel.</summary>
    private static float[] ChannelMax(float[] chw, int channels)
    {
        int pixels = chw.Length / channels;
        var result = chw.AsSpan(0, pixels).ToArray();
        for (int c = 1; c < channels; c++)
        {
            for (int i = 0; i < pixels; i++)
            {
                result[i] = Math.Max(result[i], chw[(c * pixels) + i]);
            }
        }

        return result;
    }
}
