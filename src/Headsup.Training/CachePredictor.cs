using Headsup.Models;
using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Training;

/// <summary>Batched inference without gradients over an <see cref="InputCache"/> (validation, evaluation, experiments).</summary>
public static class CachePredictor
{
    /// <summary>
    /// Raw logits (per input, per output) of <paramref name="network"/> on every input of <paramref name="cache"/>,
    /// averaged over the passes of <paramref name="augmentation"/> (<see cref="Predictor.Forward"/>).
    /// </summary>
    public static float[][] Logits(ClassifierNetwork network, InputCache cache, int batchSize = 16, TestTimeAugmentation augmentation = TestTimeAugmentation.None) =>
        Run(network, cache, batchSize, (n, x) => Predictor.Forward(n, x, augmentation));

    /// <summary>Pooled last-layer features (per input, <see cref="ClassifierNetwork.FeatureChannels"/> values: the head's input) on every input of <paramref name="cache"/>.</summary>
    public static float[][] Features(ClassifierNetwork network, InputCache cache, int batchSize = 16) =>
        Run(network, cache, batchSize, (n, x) => n.FeatureMap(x).mean([2, 3]));

    /// <summary>Runs <paramref name="output"/> (N×K) in eval mode without gradients over the cache in batches; the network's mode is restored.</summary>
    private static float[][] Run(ClassifierNetwork network, InputCache cache, int batchSize, Func<ClassifierNetwork, Tensor, Tensor> output)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(cache);
        bool wasTraining = network.training;
        network.eval();
        var result = new float[cache.Count][];
        var indices = Enumerable.Range(0, cache.Count).ToArray();
        using (no_grad())
        {
            for (int start = 0; start < cache.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var span = indices.AsSpan(start, Math.Min(batchSize, cache.Count - start));
                var values = output(network, cache.Inputs(span)).contiguous();
                var flat = values.data<float>().ToArray();
                int width = (int)values.shape[1];
                for (int i = 0; i < span.Length; i++)
                {
                    result[start + i] = flat.AsSpan(i * width, width).ToArray();
                }
            }
        }

        if (wasTraining)
        {
            network.train();
        }

        return result;
    }
}
