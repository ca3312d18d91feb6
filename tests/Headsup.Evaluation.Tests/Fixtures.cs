namespace Headsup.Evaluation.Tests;

/// <summary>Deterministic labelled score sets shared by the tests.</summary>
internal static class Fixtures
{
    /// <summary>A named set of scores and labels.</summary>
    public sealed record Case(string Name, double[] Scores, int[] Labels);

    /// <summary>Scores = sigmoid(separation · label + noise), labels Bernoulli(prevalence), from a seeded generator.</summary>
    public static Case Random(string name, int n, int seed, double prevalence = 0.3, double separation = 1.5, int? roundDigits = null, bool logits = false)
    {
        var random = new System.Random(seed);
        var scores = new double[n];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < prevalence ? 1 : 0;
            var z = (separation * labels[i]) - (separation / 2) + Normal(random);
            var s = logits ? z : 1 / (1 + Math.Exp(-z));
            scores[i] = roundDigits is { } d ? Math.Round(s, d) : s;
        }

        return new Case(name, scores, labels);
    }

    /// <summary>The fixed cases compared with scikit-learn.</summary>
    public static IReadOnlyList<Case> SklearnCases { get; } =
    [
        new("tiny", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]),
        new("two-rows", [0.3, 0.7], [0, 1]),
        new("two-rows-inverted", [0.7, 0.3], [0, 1]),
        new("all-equal", [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1, 1, 0]),
        new("ties", [0.9, 0.9, 0.8, 0.8, 0.8, 0.5, 0.5, 0.2, 0.2, 0.2, 0.1, 0.9, 0.5, 0.1], [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0]),
        new("only-negatives", [0.2, 0.6, 0.4], [0, 0, 0]),
        new("only-positives", [0.2, 0.6, 0.4, 0.6], [1, 1, 1, 1]),
        new("below-half", [0.1, 0.2, 0.3, 0.45], [0, 1, 0, 1]),
        Random("random-500", 500, seed: 20240601),
        Random("random-500-rounded", 500, seed: 7, prevalence: 0.1, roundDigits: 2),
        Random("random-300-logits", 300, seed: 11, prevalence: 0.5, separation: 2.5, logits: true),
        Random("random-2000-weak", 2000, seed: 3, prevalence: 0.05, separation: 0.3),
    ];

    private static double Normal(System.Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
