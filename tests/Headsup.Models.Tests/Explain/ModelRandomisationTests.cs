using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Tests.Networks;
using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Explain;

/// <summary>
/// The model-randomisation sanity check of Adebayo et al. ("Sanity checks for saliency maps", NeurIPS 2018): a small
/// network learns a localisable signal (a small bright blob, anywhere, means class 1), its explanations must point at
/// the blob, and the explanations of an untrained network must not resemble them.
/// </summary>
public sealed class ModelRandomisationTests(ITestOutputHelper log)
{
    private const int Size = 64;
    private const double BlobSigma = 3;
    private const int TrainingSteps = 80;
    private static readonly ExplainMethod[] s_methods = [ExplainMethod.IntegratedGradients, ExplainMethod.Xrai, ExplainMethod.GradCam];
    private static readonly ExplainOptions s_options = new() { Steps = 32, BatchSize = 32 };
    private static readonly (int Y, int X)[] s_blobs = [(14, 16), (44, 20), (24, 48), (50, 50)];

    /// <summary>
    /// Pointing: the percentile of the heatmap value at the blob's centre, averaged over four images, must be ≥ 0.7 for
    /// each method (a map unrelated to the blob averages 0.5; the untrained networks gave 0.0–0.6). Randomisation: for
    /// each method, Spearman's ρ between the trained network's heatmap and an untrained network's (three fresh seeds,
    /// four images) must average below 0.5; for IG every single ρ must also be below 0.5. Adebayo et al. show that maps
    /// which only reflect the image (edge detectors, the input itself) keep ρ well above that under randomisation, so
    /// 0.5 separates "depends on the weights" from "depends on the image". Per-image ρ of XRAI and Grad-CAM is not
    /// bounded: both are nearly piecewise constant (XRAI over segments that come from the image alone, Grad-CAM over a
    /// 2×2 feature map here), so a single pair can correlate strongly by chance (ρ up to 0.96 observed for XRAI).
    /// The numbers observed are written to the test output and recorded in docs/explanations.md.
    /// </summary>
    [Fact]
    public void TrainedExplanationsPointAtTheBlob_RandomNetworkExplanationsDoNotCorrelate()
    {
        TorchTestSetup.Seed(51);
        using var trained = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 1, pretrained: false);
        double accuracy = Train(trained, new Random(52));
        log.WriteLine($"held-out accuracy after training: {accuracy:F3}");
        Assert.True(accuracy >= 0.9, $"the network did not learn the blob task (accuracy {accuracy:F3}): the check would prove nothing");

        var random = new Random(53);
        var images = s_blobs.Select(b => Image(random, b)).ToList();
        try
        {
            var trainedMaps = s_methods.ToDictionary(m => m, m => images.Select(x => Explainer.Explain(trained, x, m, s_options).Heatmap).ToList());
            var failures = new List<string>();
            foreach (var method in s_methods)
            {
                var percentiles = trainedMaps[method].Select((map, i) => BlobPercentile(map, s_blobs[i])).ToList();
                log.WriteLine($"trained {method}: blob percentile {Join(percentiles)} (mean {percentiles.Average():F3})");
                if (percentiles.Average() < 0.7)
                {
                    failures.Add($"{method} does not point at the blob: mean percentile {percentiles.Average():F3} < 0.7");
                }
            }

            var rhos = s_methods.ToDictionary(m => m, _ => new List<double>());
            foreach (long seed in new long[] { 61, 62, 63 })
            {
                TorchTestSetup.Seed(seed);
                using var untrained = NetworkFactory.Create(NetworkFactory.SmallCnn, 1, 1, pretrained: false);
                foreach (var method in s_methods)
                {
                    var maps = images.Select(x => Explainer.Explain(untrained, x, method, s_options).Heatmap).ToList();
                    var seedRhos = maps.Select((m, i) => RankCorrelation.Spearman(trainedMaps[method][i], m)).ToList();
                    rhos[method].AddRange(seedRhos);
                    log.WriteLine($"untrained seed {seed} {method}: Spearman {Join(seedRhos)}; blob percentile {Join(maps.Select((m, i) => BlobPercentile(m, s_blobs[i])))}");
                }
            }

            foreach (var method in s_methods)
            {
                log.WriteLine($"{method}: mean Spearman {rhos[method].Average():F3}, max {rhos[method].Max():F3}");
                if (rhos[method].Average() >= 0.5)
                {
                    failures.Add($"{method}: untrained heatmaps resemble trained ones (mean Spearman {rhos[method].Average():F3} ≥ 0.5)");
                }
            }

            if (rhos[ExplainMethod.IntegratedGradients].Max() >= 0.5)
            {
                failures.Add($"IG: an untrained heatmap resembles the trained one (Spearman {rhos[ExplainMethod.IntegratedGradients].Max():F3} ≥ 0.5)");
            }

            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    private static string Join(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Adam (learning rate 0.002) on fresh batches of 32 for <see cref="TrainingSteps"/> steps; returns the accuracy on 128 new images.</summary>
    private static double Train(ClassifierNetwork network, Random random)
    {
        network.train();
        using var optimizer = optim.Adam(network.parameters(), 2e-3);
        for (int step = 0; step < TrainingSteps; step++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = Batch(random, 32);
            optimizer.zero_grad();
            nn.functional.binary_cross_entropy_with_logits(network.forward(x).squeeze(1), y).backward();
            optimizer.step();
        }

        network.eval();
        using var testScope = NewDisposeScope();
        using var noGrad = no_grad();
        var (tx, ty) = Batch(random, 128);
        return ((network.forward(tx).squeeze(1) > 0).to_type(ScalarType.Float32) == ty).to_type(ScalarType.Float32).mean().item<float>();
    }

    private static (Tensor X, Tensor Y) Batch(Random random, int count)
    {
        var pixels = new float[count * Size * Size];
        var labels = new float[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % 2;
            var blob = labels[i] == 1 ? (random.Next(6, Size - 6), random.Next(6, Size - 6)) : ((int, int)?)null;
            Fill(pixels.AsSpan(i * Size * Size, Size * Size), random, blob);
        }

        return (tensor(pixels, new long[] { count, 1, Size, Size }), tensor(labels));
    }

    private static Tensor Image(Random random, (int Y, int X) blob)
    {
        var pixels = new float[Size * Size];
        Fill(pixels, random, blob);
        return tensor(pixels, new long[] { 1, 1, Size, Size });
    }

    /// <summary>Background 0.2 + uniform noise of 0.1; a blob adds a Gaussian of amplitude 0.5 and σ <see cref="BlobSigma"/> pixels.</summary>
    private static void Fill(Span<float> image, Random random, (int Y, int X)? blob)
    {
        for (int p = 0; p < image.Length; p++)
        {
            double value = 0.2 + (0.1 * random.NextDouble());
            if (blob is var (by, bx))
            {
                int dy = (p / Size) - by, dx = (p % Size) - bx;
                value += 0.5 * Math.Exp(-((dy * dy) + (dx * dx)) / (2 * BlobSigma * BlobSigma));
            }

            image[p] = (float)value;
        }
    }

    /// <summary>The fraction of pixels whose heatmap value is below the value at the blob's centre (0.5 on average for a map unrelated to the blob).</summary>
    private static double BlobPercentile(float[] heatmap, (int Y, int X) blob)
    {
        float centre = heatmap[(blob.Y * Size) + blob.X];
        return heatmap.Count(v => v < centre) / (double)heatmap.Length;
    }
}
