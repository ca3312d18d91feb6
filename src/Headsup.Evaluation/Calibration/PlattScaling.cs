using System.Text.Json.Serialization;

namespace Headsup.Evaluation.Calibration;

/// <summary>
/// Platt scaling: a logistic calibrator p = sigmoid(A · logit + B) fitted on validation logits by minimising the log
/// loss with Newton's method and a backtracking line search (Lin, Lin and Weng, 2007). Platt's smoothed targets
/// (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2) keep the optimum finite on separable data. Serialises as {"a": …, "b": …}.
/// </summary>
/// <param name="A">Slope applied to the logit (1 with B = 0 is the identity calibration).</param>
/// <param name="B">Intercept.</param>
public sealed record PlattScaling(
    [property: JsonPropertyName("a")] double A,
    [property: JsonPropertyName("b")] double B)
{
    /// <summary>The identity calibration (A = 1, B = 0).</summary>
    public static PlattScaling Identity { get; } = new(1, 0);

    /// <summary>Calibrated probability for a model logit.</summary>
    public double Apply(double logit) => Sigmoid((A * logit) + B);

    /// <summary>The logit (log-odds) of a probability, clamped to ±(log of 1e15) at 0 and 1.</summary>
    public static double Logit(double probability)
    {
        if (!(probability is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must be in [0, 1]");
        }

        const double Epsilon = 1e-15;
        var p = Math.Clamp(probability, Epsilon, 1 - Epsilon);
        return Math.Log(p / (1 - p));
    }

    /// <summary>Numerically stable logistic function.</summary>
    public static double Sigmoid(double z) => z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));

    /// <summary>Fits A and B.</summary>
    /// <param name="logits">Model logits (finite).</param>
    /// <param name="labels">Labels, 0 or 1.</param>
    /// <param name="smoothTargets">Use Platt's smoothed targets (default); false fits the plain maximum likelihood, which diverges on separable data, so a tiny ridge (1e-6·n on A) is then added.</param>
    /// <param name="maxIterations">Newton iterations at most.</param>
    /// <exception cref="ArgumentException">Empty input, mismatched lengths, a label not 0/1 or a non-finite logit.</exception>
    public static PlattScaling Fit(ReadOnlySpan<double> logits, ReadOnlySpan<int> labels, bool smoothTargets = true, int maxIterations = 100)
    {
        if (logits.Length != labels.Length || logits.IsEmpty)
        {
            throw new ArgumentException($"need equal, non-zero numbers of logits ({logits.Length}) and labels ({labels.Length})", nameof(labels));
        }

        var n = logits.Length;
        var positives = 0;
        for (var i = 0; i < n; i++)
        {
            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"label {i} is {labels[i]}: labels must be 0 or 1", nameof(labels));
            }

            if (!double.IsFinite(logits[i]))
            {
                throw new ArgumentException($"logit {i} is {logits[i]}", nameof(logits));
            }

            positives += labels[i];
        }

        var negatives = n - positives;
        var hiTarget = smoothTargets ? (positives + 1.0) / (positives + 2.0) : 1.0;
        var loTarget = smoothTargets ? 1.0 / (negatives + 2.0) : 0.0;
        var ridge = smoothTargets ? 0.0 : 1e-6 * n;
        var targets = new double[n];
        for (var i = 0; i < n; i++)
        {
            targets[i] = labels[i] == 1 ? hiTarget : loTarget;
        }

        double a = 0, b = Math.Log((positives + 1.0) / (negatives + 1.0));
        var f = Objective(logits, targets, a, b, ridge);
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            double gA = ridge * a, gB = 0, hAA = 1e-12 + ridge, hAB = 0, hBB = 1e-12;
            for (var i = 0; i < n; i++)
            {
                var p = Sigmoid((a * logits[i]) + b);
                var r = p - targets[i];
                var w = p * (1 - p);
                gA += r * logits[i];
                gB += r;
                hAA += w * logits[i] * logits[i];
                hAB += w * logits[i];
                hBB += w;
            }

            if (Math.Abs(gA) < 1e-10 * n && Math.Abs(gB) < 1e-10 * n)
            {
                break;
            }

            var det = (hAA * hBB) - (hAB * hAB);
            var dA = -((hBB * gA) - (hAB * gB)) / det;
            var dB = -((-hAB * gA) + (hAA * gB)) / det;
            var slope = (gA * dA) + (gB * dB);
            var step = 1.0;
            var improved = false;
            while (step >= 1e-10)
            {
                var newA = a + (step * dA);
                var newB = b + (step * dB);
                var newF = Objective(logits, targets, newA, newB, ridge);
                if (newF <= f + (1e-4 * step * slope))
                {
                    (a, b, f, improved) = (newA, newB, newF, true);
                    break;
                }

                step /= 2;
            }

            if (!improved)
            {
                break;
            }
        }

        return new PlattScaling(a, b);
    }

    private static double Objective(ReadOnlySpan<double> logits, double[] targets, double a, double b, double ridge)
    {
        var sum = 0.5 * ridge * a * a;
        for (var i = 0; i < logits.Length; i++)
        {
            var z = (a * logits[i]) + b;
            sum += (targets[i] * Softplus(-z)) + ((1 - targets[i]) * Softplus(z));
        }

        return sum;
    }

    /// <summary>log(1 + e^z) without overflow.</summary>
    private static double Softplus(double z) => z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z));
}
