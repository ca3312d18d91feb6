using Headsup.Models.Networks;
using static TorchSharp.torch;

namespace Headsup.Explain;

/// <summary>Attributions for one input and how well they add up.</summary>
/// <param name="Attributions">C×H×W attributions (float32, CHW order), the same shape as the input.</param>
/// <param name="OutputAtInput">The explained logit at the input.</param>
/// <param name="OutputAtBaseline">The explained logit at the baseline.</param>
/// <param name="AttributionSum">Sum of <paramref name="Attributions"/>; completeness says it ≈ output at input − output at baseline.</param>
public sealed record Attribution(float[] Attributions, double OutputAtInput, double OutputAtBaseline, double AttributionSum)
{
    /// <summary>|sum − (f(x) − f(baseline))|: the integration error (0 for exact integration).</summary>
    public double CompletenessGap => Math.Abs(AttributionSum - (OutputAtInput - OutputAtBaseline));
}

/// <summary>
/// Integrated Gradients (Sundararajan et al., 2017): (x − x′) × the mean gradient of one logit along the straight path
/// from a baseline x′ to x, by the midpoint rule with <c>steps</c> points, evaluated in batches. The network is put in
/// eval mode; parameters get no gradients (their requires_grad is restored afterwards).
/// </summary>
public static class IntegratedGradients
{
    /// <summary>
    /// Attributions of logit <paramref name="output"/> for <paramref name="input"/> (1×C×H×W) against <paramref name="baseline"/>.
    /// <paramref name="cancellationToken"/> is checked before each batch of path points.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled between two batches.</exception>
    public static Attribution Compute(ClassifierNetwork network, Tensor input, Tensor baseline, int steps = 100, int batchSize = 25, int output = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (input.shape.Length != 4 || input.shape[0] != 1 || !input.shape.SequenceEqual(baseline.shape))
        {
            throw new ArgumentException($"input must be 1×C×H×W and the baseline the same shape (got [{string.Join(',', input.shape)}] and [{string.Join(',', baseline.shape)}])", nameof(input));
        }

        using var frozen = new FrozenParameters(network);
        using var scope = NewDisposeScope();
        var dtype = FrozenParameters.ParameterType(network);
        var delta = input - baseline;
        var gradientSum = zeros_like(input);
        for (int start = 0; start < steps; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchSize, steps - start);
            var alphas = new float[count];
            for (int i = 0; i < count; i++)
            {
                alphas[i] = (float)((start + i + 0.5) / steps);
            }

            using var inner = NewDisposeScope();
            var alpha = tensor(alphas, new long[] { count, 1, 1, 1 });
            var path = baseline.Plus(alpha * delta).to(dtype).detach().requires_grad_(true);
            using (enable_grad())
            {
                var logits = network.forward(path);
                logits[.., output].sum().backward();
            }

            gradientSum.PlusInPlace(path.grad!.to(ScalarType.Float32).sum(0, keepdim: true));
        }

        var attributions = (delta * gradientSum / tensor((float)steps)).contiguous();
        double atInput, atBaseline;
        using (no_grad())
        {
            atInput = network.forward(input.to(dtype))[0, output].to(ScalarType.Float32).item<float>();
            atBaseline = network.forward(baseline.to(dtype))[0, output].to(ScalarType.Float32).item<float>();
        }

        var values = attributions.data<float>().ToArray();
        return new Attribution(values, atInput, atBaseline, values.Sum(v => (double)v));
    }

    /// <summary>
    /// The "black and white" baselines of the PAIR saliency reference: one baseline at the input's minimum, one at its
    /// maximum; the two attribution maps are averaged. Returns the average and both runs (for completeness checks).
    /// </summary>
    public static (float[] Average, Attribution Black, Attribution White) BlackAndWhite(ClassifierNetwork network, Tensor input, int steps = 100, int batchSize = 25, int output = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var black = TorchScalars.FullLike(input, input.min().item<float>());
        using var white = TorchScalars.FullLike(input, input.max().item<float>());
        var b = Compute(network, input, black, steps, batchSize, output, cancellationToken);
        var w = Compute(network, input, white, steps, batchSize, output, cancellationToken);
        var average = new float[b.Attributions.Length];
        for (int i = 0; i < average.Length; i++)
        {
            average[i] = 0.5f * (b.Attributions[i] + w.Attributions[i]);
        }

        return (average, b, w);
    }
}
