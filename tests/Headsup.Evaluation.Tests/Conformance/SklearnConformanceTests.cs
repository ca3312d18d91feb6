using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Metrics;
using Headsup.Testing;
using Xunit;

namespace Headsup.Evaluation.Tests.Conformance;

/// <summary>
/// Compares the metrics with scikit-learn (Debian python3-sklearn) through tools/reference/sklearn_metrics.py. The
/// reference runs once for all fixtures; each test skips when python3 or sklearn is missing.
/// </summary>
public sealed class SklearnConformanceTests
{
    private const double Tolerance = 1e-12;

    private static readonly Lazy<(string? SkipReason, Dictionary<string, JsonElement> Results)> s_reference = new(RunReference);

    public static TheoryData<string> CaseNames => [.. Fixtures.SklearnCases.Select(c => c.Name)];

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void RocAuc_MatchesSklearn(string name)
    {
        var (c, expected) = Load(name);
        AssertClose(Number(expected, "roc_auc"), RankingMetrics.RocAuc(c.Scores, c.Labels), name);
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void AveragePrecision_MatchesSklearn(string name)
    {
        var (c, expected) = Load(name);
        AssertClose(Number(expected, "average_precision"), RankingMetrics.AveragePrecision(c.Scores, c.Labels), name);
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void RocCurve_MatchesSklearn(string name)
    {
        var (c, expected) = Load(name);
        Skip.If(!expected.TryGetProperty("roc_curve", out var roc), $"{name}: sklearn defines no ROC curve without both classes");
        var curve = RocCurve.Compute(c.Scores, c.Labels);
        AssertSeries(Numbers(roc, "fpr"), curve.FalsePositiveRates, name + " fpr");
        AssertSeries(Numbers(roc, "tpr"), curve.TruePositiveRates, name + " tpr");

        // sklearn 1.2 starts the thresholds at max + 1, newer releases (and we) at +inf: compare from the second.
        Assert.Equal(double.PositiveInfinity, curve.Thresholds[0]);
        Assert.Equal(Numbers(roc, "thresholds").Skip(1), curve.Thresholds.Skip(1));
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void PrecisionRecallCurve_MatchesSklearn(string name)
    {
        var (c, expected) = Load(name);
        Skip.If(!expected.TryGetProperty("precision_recall_curve", out var pr), $"{name}: no positives (sklearn sets recall to 1, we to NaN)");
        var curve = PrecisionRecallCurve.Compute(c.Scores, c.Labels);
        AssertSeries(Numbers(pr, "precision"), curve.Precisions, name + " precision");
        AssertSeries(Numbers(pr, "recall"), curve.Recalls, name + " recall");
        Assert.Equal(Numbers(pr, "thresholds"), curve.Thresholds);
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void ThresholdMetricsAtHalf_MatchSklearn(string name)
    {
        var (c, expected) = Load(name);
        var counts = ThresholdMetrics.Compute(c.Scores, c.Labels, 0.5);
        AssertClose(Number(expected, "precision_at_0.5"), counts.Precision, name + " precision");
        AssertClose(Number(expected, "recall_at_0.5"), counts.Recall, name + " recall");
        AssertClose(Number(expected, "f1_at_0.5"), counts.F1, name + " f1");
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void BrierScore_MatchesSklearn(string name)
    {
        var (c, expected) = Load(name);
        var brier = Number(expected, "brier");
        Skip.If(double.IsNaN(brier), $"{name}: scores are not probabilities");
        AssertClose(brier, CalibrationMetrics.BrierScore(c.Scores, c.Labels), name);
    }

    private static (Fixtures.Case Case, JsonElement Expected) Load(string name)
    {
        var (skipReason, results) = s_reference.Value;
        Skip.If(skipReason is not null, skipReason);
        return (Fixtures.SklearnCases.Single(c => c.Name == name), results[name]);
    }

    private static (string? SkipReason, Dictionary<string, JsonElement> Results) RunReference()
    {
        var python = ExternalTool.Find(ExternalTool.DebianPython);
        if (python is null)
        {
            return ($"{ExternalTool.DebianPython} is not installed: sklearn conformance test skipped", []);
        }

        var (probe, _, _) = ExternalTool.Run(python, ["-c", "import sklearn"]);
        if (probe != 0)
        {
            return ("python3-sklearn is not installed (apt-get install python3-sklearn): sklearn conformance test skipped", []);
        }

        var folder = Path.Combine(Path.GetTempPath(), "headsup-sklearn-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            var paths = new List<string>();
            foreach (var c in Fixtures.SklearnCases)
            {
                var csv = new StringBuilder("label,score\n");
                for (var i = 0; i < c.Scores.Length; i++)
                {
                    csv.Append(c.Labels[i].ToString(CultureInfo.InvariantCulture)).Append(',').Append(c.Scores[i].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }

                var path = Path.Combine(folder, c.Name + ".csv");
                File.WriteAllText(path, csv.ToString());
                paths.Add(path);
            }

            var script = Path.Combine(TestData.RepoRoot, "tools", "reference", "sklearn_metrics.py");
            var (exit, stdout, stderr) = ExternalTool.Run(python, [script, .. paths]);
            Assert.True(exit == 0, "sklearn_metrics.py failed: " + stderr);
            using var document = JsonDocument.Parse(stdout);
            var results = new Dictionary<string, JsonElement>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                results[Path.GetFileNameWithoutExtension(item.GetProperty("file").GetString()!)] = item.Clone();
            }

            return (null, results);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Number(JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? double.NaN : e.GetProperty(property).GetDouble();

    private static double[] Numbers(JsonElement e, string property) =>
        [.. e.GetProperty(property).EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble())];

    private static void AssertClose(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN (undefined), got {actual}");
            return;
        }

        Assert.True(Math.Abs(expected - actual) <= Tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static void AssertSeries(double[] expected, IReadOnlyList<double> actual, string what)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: expected {expected.Length} points, got {actual.Count}");
        for (var i = 0; i < expected.Length; i++)
        {
            AssertClose(expected[i], actual[i], $"{what}[{i}]");
        }
    }
}
