using System.Globalization;
using Headsup.Models.Packaging;
using Headsup.Testing;
using Headsup.Training.Evaluation;
using Xunit;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// The out-of-distribution arithmetic against numpy: the quantiles of <see cref="InputProfileBuilder.Quantile"/> are
/// numpy.quantile's default (linear), and <see cref="InputProfile.Distance"/> is sqrt(mean(((f − μ) / σ)²)).
/// </summary>
public sealed class InputProfileTests
{
    [Fact]
    public void QuantileAndDistance_EqualNumpy()
    {
        var python = ExternalTool.Require(ExternalTool.DebianPython);
        var random = new Random(11);
        var values = Enumerable.Range(0, 37).Select(_ => random.NextDouble() * 3).Order().ToArray();
        var mean = Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray();
        var std = Enumerable.Range(0, 8).Select(_ => (float)(0.1 + random.NextDouble())).ToArray();
        var features = Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
        static string List(IEnumerable<double> v) => "[" + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
        var script = $"""
            import numpy as np
            v = np.array({List(values)})
            print(*[repr(float(np.quantile(v, q))) for q in (0.5, 0.9, 0.95, 0.99)])
            f = np.array({List(features.Select(x => (double)x))}, dtype=np.float32).astype(np.float64)
            m = np.array({List(mean.Select(x => (double)x))}, dtype=np.float32).astype(np.float64)
            s = np.array({List(std.Select(x => (double)x))}, dtype=np.float32).astype(np.float64)
            print(repr(float(np.sqrt(np.mean(((f - m) / s) ** 2)))))
            """;
        var (code, stdout, stderr) = ExternalTool.Run(python, ["-c", script], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var quantiles = lines[0].Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(quantiles[0], InputProfileBuilder.Quantile(values, 0.5), 12);
        Assert.Equal(quantiles[1], InputProfileBuilder.Quantile(values, 0.9), 12);
        Assert.Equal(quantiles[2], InputProfileBuilder.Quantile(values, 0.95), 12);
        Assert.Equal(quantiles[3], InputProfileBuilder.Quantile(values, 0.99), 12);
        var profile = new InputProfile
        {
            BuiltFrom = "test",
            Embedding = new EmbeddingProfile { Mean = mean, Std = std, DistanceQuantiles = new Dictionary<string, double> { ["q99"] = 1 } },
        };
        Assert.Equal(double.Parse(lines[1], CultureInfo.InvariantCulture), profile.Distance(features), 9);
        Assert.Throws<ArgumentException>(() => profile.Distance(new float[3]));
    }
}
