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
/// `headsup calibrate-study` on generated phantom studies with an untrained package: the calibrated copy (new study
/// calibration and threshold, everything else as it was, weights byte for byte), study-calibration.csv, and the exit
/// codes of bad input (0 ok, 2 usage, 3 could not run).
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
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.Positives, "--data", fixture.Negatives, "--model", fixture.Model, "--sensitivity", "0.8", "--out", outDir);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("study calibration: platt a=", stdout, StringComparison.Ordinal);

        // The source package is untouched; the copy has every file, the weights and training manifest byte for byte.
        Assert.Equal(originalManifest, File.ReadAllText(Path.Combine(fixture.Model, "model.json")));
        foreach (var file in Directory.GetFiles(fixture.Model).Select(Path.GetFileName).Where(f => f != "model.json"))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(fixture.Model, file!)), File.ReadAllBytes(Path.Combine(outDir, file!)));
        }

        // Only study.calibration and study.threshold changed in model.json.
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
        }

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

    [Fact]
    public void CalibrateStudy_NegativeStudiesOnly_ExitsThreeSayingBothClassesAreNeeded()
    {
        using var output = TestData.CreateTempFolder();
        var outDir = Path.Combine(output.Path, "calibrated");
        var (exit, stdout, stderr) = Headsup("calibrate-study", "--data", fixture.NegativePhantom, "--model", fixture.Model, "--out", outDir);
        Assert.True(exit == 3, $"exit {exit}: {stdout}{stderr}");
        Assert.True(stderr.Contains("error: study calibration needs at least 4 labelled studies of both classes (got 4, 0 positive)", StringComparison.Ordinal), stderr);
        Assert.False(Directory.Exists(outDir), "nothing is written when the fit fails");
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
        Assert.Contains("(got 0, 0 positive)", stderr, StringComparison.Ordinal);
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
