using System.Text.Json;
using Headsup.Evaluation.Calibration;
using Xunit;

namespace Headsup.Evaluation.Tests.Calibration;

public sealed class PlattScalingTests
{
    [Fact]
    public void Fit_SyntheticLogistic_RecoversSlopeAndIntercept()
    {
        const double TrueA = 1.5, TrueB = -0.7;
        var random = new Random(42);
        var n = 20_000;
        var logits = new double[n];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            logits[i] = 2 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            labels[i] = random.NextDouble() < PlattScaling.Sigmoid((TrueA * logits[i]) + TrueB) ? 1 : 0;
        }

        var fit = PlattScaling.Fit(logits, labels);
        Assert.InRange(fit.A, TrueA - 0.1, TrueA + 0.1);
        Assert.InRange(fit.B, TrueB - 0.1, TrueB + 0.1);
    }

    [Fact]
    public void Fit_AlreadyCalibrated_IsNearIdentity()
    {
        var random = new Random(3);
        var logits = Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 8) - 4).ToArray();
        var labels = logits.Select(z => random.NextDouble() < PlattScaling.Sigmoid(z) ? 1 : 0).ToArray();
        var fit = PlattScaling.Fit(logits, labels);
        Assert.InRange(fit.A, 0.9, 1.1);
        Assert.InRange(fit.B, -0.1, 0.1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Fit_SeparableData_StaysFinite(bool smoothTargets)
    {
        double[] logits = [-3, -2.5, -2, -1, 1, 2, 2.5, 3];
        int[] labels = [0, 0, 0, 0, 1, 1, 1, 1];
        var fit = PlattScaling.Fit(logits, labels, smoothTargets);
        Assert.True(double.IsFinite(fit.A) && double.IsFinite(fit.B));
        Assert.True(fit.A > 0);
        Assert.InRange(fit.Apply(3), 0.5, 1.0);
        Assert.InRange(fit.Apply(-3), 0.0, 0.5);
        if (smoothTargets)
        {
            // Platt's targets for 4 positives and 4 negatives are 5/6 and 1/6: the fit cannot be more confident by much.
            Assert.InRange(fit.Apply(3), 0.75, 0.95);
            Assert.InRange(fit.Apply(-3), 0.05, 0.25);
        }
    }

    [Fact]
    public void Fit_SingleClass_StaysFinite()
    {
        var fit = PlattScaling.Fit([0.1, 0.5, 2.0], [1, 1, 1]);
        Assert.True(double.IsFinite(fit.A) && double.IsFinite(fit.B));
        Assert.InRange(fit.Apply(0.5), 0.5, 1.0);
    }

    [Fact]
    public void Json_RoundTrips_AsAB()
    {
        var json = JsonSerializer.Serialize(new PlattScaling(1.25, -0.5));
        Assert.Equal("{\"a\":1.25,\"b\":-0.5}", json);
        Assert.Equal(new PlattScaling(1.25, -0.5), JsonSerializer.Deserialize<PlattScaling>(json));
    }

    [Fact]
    public void Apply_And_Logit_AreInverse()
    {
        Assert.Equal(0.8, PlattScaling.Identity.Apply(PlattScaling.Logit(0.8)), 14);
        Assert.Equal(PlattScaling.Sigmoid(2.0 * 0.3 - 1), new PlattScaling(2, -1).Apply(0.3), 15);
        Assert.True(double.IsFinite(PlattScaling.Logit(1.0)));
        Assert.Equal(1.0, PlattScaling.Sigmoid(800));
        Assert.Equal(0.0, PlattScaling.Sigmoid(-800));
    }
}
