using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Models;

/// <summary>Batched inference without gradients.</summary>
public static class Predictor
{
    /// <summary>
    /// Raw logits for prepared inputs (N×C×S×S floats, row-major). The inputs are converted to <paramref name="dtype"/>
    /// (the network's parameter type, e.g. bfloat16 for a network from <see cref="InferencePrecisions.Convert"/>); the
    /// logits come back as float32. With <paramref name="augmentation"/> they are averaged over its passes
    /// (<see cref="Forward"/>).
    /// </summary>
    public static float[][] Logits(ClassifierNetwork network, float[] inputs, int count, int channels, int size, ScalarType dtype = ScalarType.Float32, TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(inputs, new long[] { count, channels, size, size }).to(dtype);
        return Rows(Forward(network, x, augmentation));
    }

    /// <summary>
    /// The network's logits for an N×C×H×W batch, averaged over the passes of <paramref name="augmentation"/>: for
    /// <see cref="TestTimeAugmentation.HorizontalFlip"/>, the mean of the batch's and its mirror image's (flipped
    /// along W, as the training augmentation flips).
    /// </summary>
    public static Tensor Forward(ClassifierNetwork network, Tensor x, TestTimeAugmentation augmentation)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(x);
        var logits = network.forward(x);
        return augmentation == TestTimeAugmentation.HorizontalFlip ? MeanWithMirror(network, x, logits) : logits;
    }

    /// <summary>(<paramref name="logits"/> + the logits of x mirrored along W) / 2.</summary>
    private static Tensor MeanWithMirror(ClassifierNetwork network, Tensor x, Tensor logits) =>
        logits.Plus(network.forward(x.flip(3))).Times(0.5);

    /// <summary>
    /// Logits and the pooled last-layer features (N × <see cref="ClassifierNetwork.FeatureChannels"/>, the head's
    /// input) in one pass; the logits are those of <see cref="Logits"/> (the same feature map through the same head).
    /// With <paramref name="augmentation"/> the logits are averaged as <see cref="Forward"/> averages them; the features
    /// stay those of the input as it is (what a package's input profile was built from).
    /// </summary>
    public static (float[][] Logits, float[][] Features) LogitsAndFeatures(ClassifierNetwork network, float[] inputs, int count, int channels, int size, ScalarType dtype = ScalarType.Float32, TestTimeAugmentation augmentation = TestTimeAugmentation.None)
    {
        ArgumentNullException.ThrowIfNull(network);
        network.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(inputs, new long[] { count, channels, size, size }).to(dtype);
        var map = network.FeatureMap(x);
        var logits = network.Head(map);
        if (augmentation == TestTimeAugmentation.HorizontalFlip)
        {
            logits = MeanWithMirror(network, x, logits);
        }

        return (Rows(logits), Rows(map.mean([2, 3])));
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
