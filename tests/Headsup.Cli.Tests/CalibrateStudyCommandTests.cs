using System.Globalization;
using System.Text.Json.Nodes;
using Headsup.Evaluation.Calibration;
using Headsup.Imaging.Export;
using Headsup.Models.Packaging;
using Headsup.Phantom;
using Headsup.Testing;
using Headsup.Testing.Models;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>
/// `headsup calibrate-study` on generated phantom studies with an untrained package: phantoms are refused unless
/// --allow-phantoms (development only); the calibrated copy (new study calibration, threshold and status, everything
/// else as it was, weights byte for byte), study-calibration.csv; too few studies give "insufficient real data", and
/// detect with such a package makes no decision and says why; the exit codes of bad input (0 ok, 2 usage, 3 could not run).
/// </summary>
public sealed class CalibrateStudyCommandTests(CalibrateStudyCommandTests.Fixture fixture) : IClassFixture<CalibrateStudyCommandTests.Fixture>
{
    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    [Fact]
    public void CalibrateStudy_PhantomStudies_WritesCopyWithNewStudyCalibrationAndSameWeights()
    {
        using var output = TestData.CreateTempFolder();
        var outDir = Path.Combine(output.Path, "calibrated");
        var originalManifest = File.ReadAllText(Path.Combine(fixture.Model, "model.json"));
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--sensitivity", "0.8", "--allow-phantoms", "--min-studies-per-class", "3", "--out", outDir);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("study calibration (phantom studies (development only)): platt a=", stdout, StringComparison.Ordinal);
        Assert.Contains("leave-one-study-out at the fitted operating point: sensitivity", stdout, StringComparison.Ordinal);

        // The source package is untouched; the copy has every file, the weights and training manifest byte for byte.
        Assert.Equal(originalManifest, File.ReadAllText(Path.Combine(fixture.Model, "model.json")));
        foreach (var file in Directory.GetFiles(fixture.Model).Select(Path.GetFileName).Where(f => f != "model.json"))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Model, file!)), File.ReadAllBytes(Path.Combine(outDir, file!)));
        }

        // Only study.calibration, study.threshold and the study status changed in model.json.
        var before = JsonNode.Parse(originalManifest)!.AsObject();
        var after = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model.json")))!.AsObject();
        var calibration = after["study"]!["calibration"]!;
        double a = (double)calibration["a"]!, b = (double)calibration["b"]!, threshold = (double)after["study"]!["threshold"]!;
        Assert.NotEqual(1.0, a);
        Assert.Contains("study level: 6 studies (3 positive)", (string?)calibration["fitted_on"], StringComparison.Ordinal);
        Assert.InRange(threshold, 0.05, 0.95);
        foreach (var node in new[] { before, after })
        {
            node["study"]!.AsObject().Remove("calibration");
            node["study"]!.AsObject().Remove("threshold");
            node["study"]!.AsObject().Remove("status");
            node["study"]!.AsObject().Remove("status_detail");
        }

        Assert.Equal(StudyCalibrationRulesPhantomStatus, (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model.json")))!["study"]!["status"]);

        Assert.True(JsonNode.DeepEquals(before, after), $"model.json changed beyond the study calibration:\n{before}\n{after}");
        using (var package = ModelPackage.Load(outDir))
        {
            Assert.Equal(a, package.Manifest.Study.Calibration.A);
            Assert.Equal(threshold, package.Manifest.Study.Threshold);
        }

        // study-calibration.csv: one row per phantom study with its label; probability = the new calibration of raw; the
        // threshold keeps the requested study sensitivity on these studies.
        var rows = File.ReadAllLines(Path.Combine(outDir, "study-calibration.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(fixture.Labels.Keys.Order(StringComparer.Ordinal), rows.Select(r => r[0]).Order(StringComparer.Ordinal));
        foreach (var r in rows)
        {
            Assert.Equal(fixture.Labels[r[0]].ToString(CultureInfo.InvariantCulture), r[2]);
            double raw = double.Parse(r[4], CultureInfo.InvariantCulture), probability = double.Parse(r[5], CultureInfo.InvariantCulture);
            // raw is written with 6 decimals: allow what that rounding moves the calibrated probability by.
            double tolerance = 1e-6 + (0.25 * Math.Abs(a) * 5e-7 / (raw * (1 - raw)));
            double expected = PlattScaling.Sigmoid((a * PlattScaling.Logit(Math.Clamp(raw, 1e-6, 1 - 1e-6))) + b);
            Assert.True(Math.Abs(expected - probability) <= tolerance, string.Create(CultureInfo.InvariantCulture, $"{r[0]}: probability {probability}, a, b and raw give {expected}"));
        }

        var positives = rows.Where(r => r[2] == "1").Select(r => double.Parse(r[5], CultureInfo.InvariantCulture)).ToList();
        Assert.True(positives.Count(p => p >= threshold - 1e-6) >= 0.8 * positives.Count, $"threshold {threshold}: positives {string.Join(", ", positives)}");
    }

    private const string StudyCalibrationRulesPhantomStatus = "phantom studies (development only)";

    [Fact]
    public void CalibrateStudy_PhantomStudiesWithoutAllowPhantoms_ExitsThreeAndWritesNothing()
    {
        using var output = TestData.CreateTempFolder();
        var outDir = Path.Combine(output.Path, "calibrated");
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--out", outDir);
        Assert.True(exit == 3, $"exit {exit}: {stdout}{stderr}");
        Assert.True(stderr.Contains("error: no real labelled studies among the 6 scored: phantom studies are never used for the study calibration", StringComparison.Ordinal), stderr);
        Assert.False(Directory.Exists(outDir), "nothing is written when the fit fails");
    }

    [Fact]
    public void CalibrateStudy_NegativeStudiesOnly_WritesInsufficientRealDataAndDetectMakesNoDecision()
    {
        using var output = TestData.CreateTempFolder();
        var outDir = Path.Combine(output.Path, "calibrated");
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.NegativePhantom, "--model", fixture.Model, "--allow-phantoms", "--aggregation", "contiguous-top-k-mean", "--out", outDir);
        Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("study calibration: insufficient real data: 4 labelled studies (0 positive, 4 negative); a study threshold needs at least 20 of each class", stdout, StringComparison.Ordinal);
        var study = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "model.json")))!["study"]!;
        Assert.Equal("insufficient real data", (string?)study["status"]);
        Assert.Equal("contiguous-top-k-mean", (string?)study["method"]);
        Assert.Equal(1.0, (double)study["calibration"]!["a"]!);
        Assert.Equal(0.0, (double)study["calibration"]!["b"]!);

        // detect with that package: a probability (the uncalibrated study score) but no decision, and the reason.
        var results = Path.Combine(output.Path, "detect");
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Positives, "dicom"), "--model", outDir, "--explain", "none", "--out", results);
        Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(results, "results.json")))!["studies"]!.AsArray();
        Assert.Equal(3, studies.Count);
        foreach (var s in studies)
        {
            Assert.NotNull(s!["probability"]);
            Assert.Null(s["positive"]);
            Assert.Equal("insufficient real data", (string?)s["calibration"]);
            Assert.StartsWith("no decision: 4 labelled studies (0 positive, 4 negative)", (string?)s["calibration_detail"], StringComparison.Ordinal);
        }

        Assert.Contains("no decision on 3 of 3 studies: study calibration insufficient real data;", stdout, StringComparison.Ordinal);

        // An explicit --threshold still decides, and says the threshold was given rather than fitted.
        var decided = Path.Combine(output.Path, "decided");
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Positives, "dicom"), "--model", outDir, "--explain", "none", "--threshold", "0.5", "--out", decided);
        Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
        foreach (var s in JsonNode.Parse(File.ReadAllText(Path.Combine(decided, "results.json")))!["studies"]!.AsArray())
        {
            Assert.NotNull(s!["positive"]);
            Assert.StartsWith("decided at the threshold given, not a fitted one", (string?)s["calibration_detail"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CalibrateStudy_NoDicomStudies_ExitsThreeSayingNoneWereScored()
    {
        using var data = TestData.CreateTempFolder();
        var pixels = new byte[32 * 32];
        foreach (var name in new[] { "a.png", "b.png" })
        {
            using var stream = File.Create(Path.Combine(data.Path, name));
            PngWriter.Write(stream, pixels, 32, 32, 1);
        }

        File.WriteAllText(Path.Combine(data.Path, "labels.csv"), "image,hemorrhage\na.png,1\nb.png,0\n");
        using var output = TestData.CreateTempFolder();
        var outDir = Path.Combine(output.Path, "calibrated");
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", Path.Combine(data.Path, "labels.csv"), "--model", fixture.Model, "--out", outDir);
        Assert.True(exit == 3, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("no real labelled studies among the 0 scored", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1.5")]
    public void CalibrateStudy_SensitivityOutsideZeroToOne_ExitsTwo(string sensitivity)
    {
        using var output = TestData.CreateTempFolder();
        var (exit, _, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--sensitivity", sensitivity, "--out", Path.Combine(output.Path, "x"));
        Assert.Equal(2, exit);
        Assert.Contains("--sensitivity must be in (0, 1]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrateStudy_OutIsThePackageItself_ExitsTwo()
    {
        var (exit, _, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--out", fixture.Model);
        Assert.Equal(2, exit);
        Assert.Contains("--out must be a new folder", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrateStudy_OutNotEmpty_ExitsTwoAndLeavesItAlone()
    {
        using var output = TestData.CreateTempFolder();
        var keep = Path.Combine(output.Path, "keep.txt");
        File.WriteAllText(keep, "mine");
        var (exit, _, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--out", output.Path);
        Assert.Equal(2, exit);
        Assert.Contains("exists and is not empty", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("scoring labelled studies", stderr, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(output.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CalibrateStudy_MissingData_ExitsTwo()
    {
        using var output = TestData.CreateTempFolder();
        var (exit, _, stderr) = Headsup("calibrate-study", "--data", Path.Combine(output.Path, "nothing-here"), "--model", fixture.Model, "--out", Path.Combine(output.Path, "x"));
        Assert.Equal(2, exit);
        Assert.Contains("no such file or folder", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrateStudy_NoPackageAtModel_ExitsThree()
    {
        using var output = TestData.CreateTempFolder();
        var (exit, _, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", output.Path, "--out", Path.Combine(output.Path, "x"));
        Assert.Equal(3, exit);
        Assert.Contains("model.json", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void CalibrateStudy_ZippedPackage_ExitsTwoAskingForAFolder()
    {
        // It used to score every study and then crash (unhandled DirectoryNotFoundException, exit 134) copying the zip.
        using var output = TestData.CreateTempFolder();
        var zip = Path.Combine(output.Path, "model.zip");
        ModelPackage.Zip(fixture.Model, zip);
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", zip, "--out", Path.Combine(output.Path, "x"));
        Assert.True(exit == 2, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("--model must be a package folder", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("scoring labelled studies", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Six phantom studies in two folders (3 positive, 3 negative; 256², 10 slices), four more negative studies, and an untrained
    /// small-cnn package at 64² (what it scores does not matter here: the command's mechanics do).
    /// </summary>
    public sealed class Fixture : IDisposable
    {
        private readonly TempFolder _folder = TestData.CreateTempFolder();

        public Fixture()
        {
            var labels = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (name, mode, seed) in new[] { ("positive", HemorrhageMode.Random, 21), ("negative", HemorrhageMode.None, 22) })
            {
                var options = new PhantomOptions { Studies = 3, Seed = seed, SliceCount = 10, MatrixSize = 256, Hemorrhage = mode, PositiveStudyFraction = 1 };
                var summary = new PhantomGenerator(options).Generate(Path.Combine(_folder.Path, name));
                foreach (var study in summary.Studies)
                {
                    labels[study.StudyInstanceUid] = study.PositiveSliceCount > 0 ? 1 : 0;
                }
            }

            Labels = labels;
            NegativePhantom = Path.Combine(_folder.Path, "negative-only");
            new PhantomGenerator(new PhantomOptions { Studies = 4, Seed = 23, SliceCount = 10, MatrixSize = 256, Hemorrhage = HemorrhageMode.None }).Generate(NegativePhantom);
            Model = Path.Combine(_folder.Path, "model");
            UntrainedModel.Save(Model, "calibrate-study-test", 3);
        }

        /// <summary>Phantom folder of three positive studies.</summary>
        public string Positives => Path.Combine(_folder.Path, "positive");

        /// <summary>Phantom folder of three negative studies.</summary>
        public string Negatives => Path.Combine(_folder.Path, "negative");

        public string NegativePhantom { get; }

        public string Model { get; }

        /// <summary>Study label of every study under <see cref="Positives"/> and <see cref="Negatives"/>, by Study Instance UID.</summary>
        public IReadOnlyDictionary<string, int> Labels { get; }

        public void Dispose() => _folder.Dispose();
    }
}
