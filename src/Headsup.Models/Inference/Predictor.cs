using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Models;

/// <summary>Batched inference without gradients.</summary>
public static class Predictor
{
    /// <summary>
    /// Raw logits for prepared inputs (N×C×S×S floats, row-major). The inputs are converted to <paramref name="dtype"/>
    /// (the network's parameter type, e.g. bfloat16 for a network from <see cref="InferencePrecisions.Convert"/>); the
    /// logits come back as float32.
    /// </summary>
    public static float[][] Logits(ClassifierNetwork network, float[] inputs, int count, int channels, int size, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(inputs, new long[] { count, channels, size, size }).to(dtype);
        return Rows(network.forward(x));
    }

    /// <summary>
    /// Logits and the pooled last-layer features (N × <see cref="ClassifierNetwork.FeatureChannels"/>, the head's
    /// input) in one pass; the logits are those of <see cref="Logits"/> (the same feature map through the same head).
    /// </summary>
    public static (float[][] Logits, float[][] Features) LogitsAndFeatures(ClassifierNetwork network, float[] inputs, int count, int channels, int size, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(inputs, new long[] { count, channels, size, size }).to(dtype);
        var map = network.FeatureMap(x);
        return (Rows(network.Head(map)), Rows(map.mean([2, 3])));
    }

    /// <summary>An N×K tensor as N float32 rows.</summary>
    private static float[][] Rows(Tensor values)
    {
        var flat = values.to(ScalarType.Float32).contiguous();
        var data = flat.data<float>().ToArray();
        int n = (int)flat.shape[0], width = (int)flat.shape[1];
        return Enumerable.Range(0, n).Select(i => data.AsSpan(i * width, width).ToArray()).ToArray();
    }
}
