using Headsup.Triage;
using Headsup.Training.Evaluation;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Evaluation.Calibration;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// <see cref="StudyCalibration.Fit"/> on hand-made study aggregates: the Platt parameters against scikit-learn
/// (tools/reference/sklearn_platt.py: an unpenalised LogisticRegression on Platt's smoothed targets), the operating point
/// against the requested study sensitivity, and the refusals.
/// </summary>
public sealed class StudyCalibrationTests(ITestOutputHelper output)
{
    /// <summary>Both fits are Newton methods run to ~1e-10 gradients on a 2-parameter convex problem.</summary>
    private const double SklearnTolerance = 1e-6;

    private static readonly Lazy<(string? SkipReason, Dictionary<string, JsonElement> Results)> s_reference = new(RunReference);

    /// <summary>Hand-made calibration sets: labels and raw aggregates (top-k means in [0, 1]).</summary>
    private static readonly Dictionary<string, (int[] Labels, double[] Raw)> s_cases = new()
    {
        ["four-overlapping"] = ([0, 1, 0, 1], [0.2, 0.6, 0.65, 0.7]),
        ["separable"] = ([0, 0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.6, 0.8, 0.9]),
        ["clipped-extremes"] = ([0, 1, 0, 1, 1, 0, 0], [0.0, 1.0, 0.3, 0.4, 0.9999999999, 1e-9, 0.5]),
        ["imbalanced"] = ([0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0], [0.05, 0.12, 0.3, 0.22, 0.41, 0.18, 0.5, 0.09, 0.33, 0.27, 0.15, 0.2]),
        ["ties"] = ([0, 1, 0, 1, 0, 1, 1, 0], [0.4, 0.4, 0.4, 0.7, 0.2, 0.7, 0.55, 0.55]),
        ["random-24"] = RandomCase(24, seed: 4242),
        ["random-200"] = RandomCase(200, seed: 7),
    };

    public static TheoryData<string> CaseNames => [.. s_cases.Keys];

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void Fit_HandMadeStudies_PlattParametersMatchSklearn(string name)
    {
        var expected = Reference(name);
        var result = StudyCalibration.Fit(Rows(name), 0.9, "test");
        double a = expected.GetProperty("a").GetDouble(), b = expected.GetProperty("b").GetDouble();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: ours a {result.Calibration.A:R} b {result.Calibration.B:R}; sklearn a {a:R} b {b:R}; hard-label LR {expected.GetProperty("a_hard")} {expected.GetProperty("b_hard")}; _sigmoid_calibration {expected.GetProperty("a_sigmoid_calibration")} {expected.GetProperty("b_sigmoid_calibration")}"));
        Assert.True(Math.Abs(result.Calibration.A - a) <= SklearnTolerance, string.Create(CultureInfo.InvariantCulture, $"{name}: a {result.Calibration.A:R}, sklearn {a:R}"));
        Assert.True(Math.Abs(result.Calibration.B - b) <= SklearnTolerance, string.Create(CultureInfo.InvariantCulture, $"{name}: b {result.Calibration.B:R}, sklearn {b:R}"));
        Assert.Equal(expected.GetProperty("roc_auc").GetDouble(), result.Auc, 12);
        if (expected.GetProperty("a_sigmoid_calibration").ValueKind == JsonValueKind.Number)
        {
            // scikit-learn's own Platt fit (BFGS, gradient tolerance 1e-5): the same optimum, less tightly converged.
            Assert.Equal(expected.GetProperty("a_sigmoid_calibration").GetDouble(), result.Calibration.A, 3);
            Assert.Equal(expected.GetProperty("b_sigmoid_calibration").GetDouble(), result.Calibration.B, 3);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    public void Fit_TargetSensitivity_ThresholdIsTheHighestThatKeepsIt(double target)
    {
        var rows = Rows("random-24");
        var result = StudyCalibration.Fit(rows, target, "test");
        var positives = rows.Where(r => r.Label == 1).Select(r => Calibrated(result, r.Raw)).OrderByDescending(p => p).ToList();
        double Sensitivity(double threshold) => positives.Count(p => p >= threshold) / (double)positives.Count;
        Assert.InRange(result.Threshold, 0.05, 0.95);
        Assert.True(Sensitivity(result.Threshold) >= target, $"sensitivity {Sensitivity(result.Threshold)} at {result.Threshold} < {target}");
        Assert.All(positives.Where(p => p > result.Threshold && p <= 0.95), p => Assert.True(Sensitivity(p) < target, $"{p} > {result.Threshold} also keeps {target}"));
        Assert.Contains(target.ToString("0.00", CultureInfo.InvariantCulture), result.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_TenPositivesAtSensitivity09_ThresholdIsTheNinthHighestPositive()
    {
        // 10 positives, 10 negatives; raw aggregates well inside the clamp so the threshold is a calibrated positive.
        var raw = new[] { 0.30, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.20, 0.25, 0.30, 0.35, 0.40, 0.42, 0.44, 0.46, 0.48, 0.50 };
        var labels = Enumerable.Range(0, 20).Select(i => i < 10 ? 1 : 0).ToArray();
        var rows = raw.Select((r, i) => Row(i, labels[i], r)).ToList();
        var result = StudyCalibration.Fit(rows, 0.9, "test");
        var ninth = raw.Take(10).Select(r => Calibrated(result, r)).OrderByDescending(p => p).ElementAt(8);
        Assert.InRange(ninth, 0.05, 0.95);
        Assert.Equal(ninth, result.Threshold, 12);
        Assert.Equal(Calibrated(result, 0.35), result.Threshold, 12);
        Assert.Same(rows, result.Rows);
    }

    [Fact]
    public void Fit_PositivesScoredBelowNegatives_SlopeTurnsNegative()
    {
        // A calibration set the aggregate ranks backwards: Platt's slope turns negative, yet the threshold stays usable.
        var rows = new[] { Row(0, 0, 0.9), Row(1, 0, 0.8), Row(2, 1, 0.1), Row(3, 1, 0.2) };
        var result = StudyCalibration.Fit(rows, 0.9, "test");
        Assert.True(result.Calibration.A < 0, $"a {result.Calibration.A}");
        Assert.Equal(0, result.Auc);
        Assert.InRange(result.Threshold, 0.05, 0.95);
    }

    [Fact]
    public void Fit_NoStudies_ThrowsModelException()
    {
        var ex = Assert.Throws<ModelException>(() => StudyCalibration.Fit([], 0.9, "test"));
        Assert.Contains("got 0, 0 positive", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_ThreeStudies_ThrowsModelException()
    {
        var ex = Assert.Throws<ModelException>(() => StudyCalibration.Fit([Row(0, 0, 0.2), Row(1, 1, 0.8), Row(2, 1, 0.6)], 0.9, "test"));
        Assert.Contains("at least 4 labelled studies of both classes (got 3, 2 positive)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Fit_OneClassOnly_ThrowsModelException(int label)
    {
        var rows = Enumerable.Range(0, 6).Select(i => Row(i, label, 0.1 * (i + 1))).ToList();
        var ex = Assert.Throws<ModelException>(() => StudyCalibration.Fit(rows, 0.9, "test"));
        Assert.Contains($"both classes (got 6, {6 * label} positive)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_Description_IsRecordedAsFittedOn()
    {
        var result = StudyCalibration.Fit(Rows("four-overlapping"), 0.9, "phantom 20 studies");
        Assert.Equal("phantom 20 studies", result.Calibration.FittedOn);
    }

    [Fact]
    public void WriteRows_Result_WritesRawAndCalibratedProbabilityPerStudy()
    {
        var result = StudyCalibration.Fit(Rows("four-overlapping"), 0.9, "test");
        using var folder = TestData.CreateTempFolder();
        var path = Path.Combine(folder.Path, "study-calibration.csv");
        StudyCalibration.WriteRows(path, result);
        var lines = File.ReadAllLines(path);
        Assert.Equal("study_instance_uid,source,label,slices,raw,probability", lines[0]);
        Assert.Equal(5, lines.Length);
        foreach (var (line, row) in lines.Skip(1).Zip(result.Rows))
        {
            var cells = line.Split(',');
            Assert.Equal(row.StudyInstanceUid, cells[0]);
            Assert.Equal(row.Label.ToString(CultureInfo.InvariantCulture), cells[2]);
            Assert.Equal(row.Raw, double.Parse(cells[4], CultureInfo.InvariantCulture), 6);
            Assert.Equal(Calibrated(result, row.Raw), double.Parse(cells[5], CultureInfo.InvariantCulture), 6);
        }
    }

    [Fact]
    public void FitOnRealStudies_PhantomsAreLeftOut_AndTooFewRealStudiesAreInsufficient()
    {
        // 20 phantom studies that would fit nicely and 4 real ones: the phantoms must not count.
        var phantoms = Enumerable.Range(0, 20).Select(i => Row(i, i % 2, i % 2 == 1 ? 0.8 : 0.2) with { Source = "phantom" }).ToList();
        var real = new[] { Row(100, 1, 0.45), Row(101, 0, 0.47), Row(102, 0, 0.28), Row(103, 1, 0.93) };
        var result = StudyCalibration.FitOnRealStudies([.. phantoms, .. real], 0.9, "test", new StudyCalibrationRules());
        Assert.Equal(StudyCalibrationStatus.InsufficientRealData, result.Status);
        Assert.Equal(20, result.Excluded.Count);
        Assert.Equal(4, result.Rows.Count);
        Assert.Equal(1.0, result.Calibration.A);
        Assert.Equal(0.0, result.Calibration.B);
        Assert.Contains("4 real labelled studies (2 positive, 2 negative; 20 phantom studies left out); a study threshold needs at least 20 of each class", result.StatusDetail, StringComparison.Ordinal);
        Assert.Null(result.LeaveOneOutSensitivity); // 4 studies: leave-one-out would fit on 3
        Assert.Equal(0.75, result.Auc, 12); // the 0.45 positive below the 0.47 negative

        // Only phantoms: refused, with the reason.
        var ex = Assert.Throws<ModelException>(() => StudyCalibration.FitOnRealStudies(phantoms, 0.9, "test", new StudyCalibrationRules()));
        Assert.Contains("phantom studies are never used", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FitOnRealStudies_EnoughStudies_FitsAsFitDoes_AndLeaveOneStudyOutIsHandCountable()
    {
        var rows = Rows("random-200");
        var rules = new StudyCalibrationRules(MinimumPerClass: 20);
        var result = StudyCalibration.FitOnRealStudies(rows, 0.9, "test", rules);
        var plain = StudyCalibration.Fit(rows, 0.9, "test");
        Assert.Equal(StudyCalibrationStatus.RealStudies, result.Status);
        Assert.Equal(plain.Calibration.A, result.Calibration.A, 12);
        Assert.Equal(plain.Threshold, result.Threshold, 12);

        // Leave-one-study-out by hand: each study decided by a fit on the other 199.
        int tp = 0, tn = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var fit = StudyCalibration.Fit(rows.Where((_, j) => j != i).ToList(), 0.9, "loo");
            bool flagged = Calibrated(fit, rows[i].Raw) >= fit.Threshold;
            tp += rows[i].Label == 1 && flagged ? 1 : 0;
            tn += rows[i].Label == 0 && !flagged ? 1 : 0;
        }

        Assert.Equal(tp, result.LeaveOneOutSensitivity!.Hits);
        Assert.Equal(rows.Count(r => r.Label == 1), result.LeaveOneOutSensitivity.N);
        Assert.Equal(tn, result.LeaveOneOutSpecificity!.Hits);
        Assert.InRange(result.LeaveOneOutSensitivity.Value, result.LeaveOneOutSensitivity.Low, result.LeaveOneOutSensitivity.High);
        Assert.Contains("leave-one-study-out at the fitted operating point: sensitivity", result.StatusDetail, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingOptions_FromDescription_RoundTripsDescribe_AndAppliesOverrides()
    {
        var options = new TrainingOptions { Architecture = "small-cnn", Size = 64, Epochs = 7, LearningRate = 3e-4, MultiLabel = false, SourceBalance = 0.5, Precision = Headsup.Models.Packaging.WeightsPrecision.Int8Blocks, HeadMask = true, WindowAugmentation = 0.5 };
        Assert.Equal(options.Describe(), TrainingOptions.FromDescription(options.Describe()).Describe());
        var changed = TrainingOptions.FromDescription(options.Describe(), new Dictionary<string, string> { ["epochs"] = "2", ["augmentation"] = "0.25" });
        Assert.Equal(2, changed.Epochs);
        Assert.Equal(0.25, changed.Augmentation);
        Assert.Equal("small-cnn", changed.Architecture);
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(options.Describe(), new Dictionary<string, string> { ["epochs"] = "many" }));
        Assert.Throws<ArgumentException>(() => TrainingOptions.FromDescription(new Dictionary<string, string> { ["warmup"] = "3" }));
    }

    private static double Calibrated(StudyCalibrationResult result, double raw) => result.Calibration.Apply(PlattScaling.Logit(Math.Clamp(raw, 1e-6, 1 - 1e-6)));

    private static StudyCalibrationRow Row(int i, int label, double raw) =>
        new(string.Create(CultureInfo.InvariantCulture, $"1.2.826.0.1.3680043.2.1125.{i + 1}"), "test", label, raw, 20, raw, new Dictionary<string, double>());

    private static List<StudyCalibrationRow> Rows(string name)
    {
        var (labels, raw) = s_cases[name];
        return labels.Select((l, i) => Row(i, l, raw[i])).ToList();
    }

    /// <summary>Labels Bernoulli(0.45); raw = sigmoid(1.2·label − 0.8 + N(0, 1)), like top-3 means of a weak model.</summary>
    private static (int[] Labels, double[] Raw) RandomCase(int n, int seed)
    {
        var random = new Random(seed);
        var labels = new int[n];
        var raw = new double[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.NextDouble() < 0.45 ? 1 : 0;
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            raw[i] = PlattScaling.Sigmoid((1.2 * labels[i]) - 0.8 + normal);
        }

        labels[0] = 1;
        labels[1] = 0;
        return (labels, raw);
    }

    private static JsonElement Reference(string name)
    {
        var (skipReason, results) = s_reference.Value;
        Skip.If(skipReason is not null, skipReason);
        return results[name];
    }

    private static (string? SkipReason, Dictionary<string, JsonElement> Results) RunReference()
    {
        var python = ExternalTool.Find(ExternalTool.DebianPython);
        if (python is null)
        {
            return ($"{ExternalTool.DebianPython} is not installed: sklearn Platt reference skipped", []);
        }

        if (ExternalTool.Run(python, ["-c", "import sklearn"]).ExitCode != 0)
        {
            return ("python3-sklearn is not installed (apt-get install python3-sklearn): sklearn Platt reference skipped", []);
        }

        using var folder = TestData.CreateTempFolder();
        var paths = new List<string>();
        foreach (var (name, (labels, raw)) in s_cases)
        {
            var csv = new StringBuilder("label,raw\n");
            for (int i = 0; i < labels.Length; i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{labels[i]},{raw[i]:R}\n");
            }

            var path = Path.Combine(folder.Path, name + ".csv");
            File.WriteAllText(path, csv.ToString());
            paths.Add(path);
        }

        // Importing scikit-learn takes seconds of CPU (most of the script's time); allow for a loaded machine.
        var (exit, stdout, stderr) = ExternalTool.Run(python, [Path.Combine(TestData.RepoRoot, "tools", "reference", "sklearn_platt.py"), .. paths], TimeSpan.FromMinutes(10));
        Assert.True(exit == 0, "sklearn_platt.py failed: " + stderr);
        using var document = JsonDocument.Parse(stdout);
        var results = document.RootElement.EnumerateArray().ToDictionary(e => Path.GetFileNameWithoutExtension(e.GetProperty("file").GetString()!), e => e.Clone());
        return (null, results);
    }
}
