using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Evaluation.Calibration;
using Headsup.Models.Packaging;
using Headsup.Phantom;
using Headsup.Testing;
using Headsup.Testing.Models;
using Xunit;
using Xunit.Abstractions;

namespace Headsup.Cli.Tests;

/// <summary>
/// The site feedback loop (docs/feedback-loop.md) on phantom studies: a feedback export (labels.csv with study_any and
/// a few slice labels, dicom/&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm) → evaluate at study and slice level →
/// train --resume-from a tiny package → detect with the fine-tuned package, whose manifest records its parent.
/// </summary>
public sealed class FeedbackLoopTests(FeedbackLoopTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<FeedbackLoopTests.Fixture>
{
    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    [Fact]
    public void FeedbackExport_EvaluateFineTuneDetect_TheNewPackageWorksAndRecordsItsParent()
    {
        using var work = TestData.CreateTempFolder();

        // The site's own numbers at study level: one row per study, scored as detect scores it, against study_any.
        var studyEval = Path.Combine(work.Path, "eval-study");
        var (exit, stdout, stderr) = Headsup("evaluate", "--model", fixture.Parent, "--data", fixture.Export, "--level", "study", "--out", studyEval, "--bootstrap", "200");
        output.WriteLine(stdout + stderr);
        Assert.True(exit == 0, stdout + stderr);
        int studies = fixture.Studies.Count, positives = fixture.Studies.Count(s => s.StudyAny == 1);
        double prevalence = positives / (double)studies;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"level study: n {studies}, positives {positives} (prevalence {prevalence:0.000})"), stdout, StringComparison.Ordinal);
        Assert.Contains("small n", stdout, StringComparison.Ordinal);
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(studyEval, "metrics.json"))))
        {
            Assert.Equal("study", metrics.RootElement.GetProperty("level").GetString());
            Assert.Equal(studies, metrics.RootElement.GetProperty("n").GetInt32());
            Assert.Equal(prevalence, metrics.RootElement.GetProperty("prevalence").GetDouble(), 6);
        }

        // Slice level: slice labels where given, negative-study slices as negatives, the rest of positive studies left out (said once).
        var sliceEval = Path.Combine(work.Path, "eval-slice");
        (exit, stdout, stderr) = Headsup("evaluate", "--model", fixture.Parent, "--data", fixture.Export, "--out", sliceEval, "--bootstrap", "200");
        Assert.True(exit == 0, stdout + stderr);
        int leftOut = fixture.Studies.Where(s => s.StudyAny == 1).Sum(s => s.Files.Count - s.LabelledSlices.Count);
        int slices = fixture.Studies.Sum(s => s.Files.Count) - leftOut;
        Assert.Single(stderr.Split('\n'), l => l.Contains($"{leftOut} slices left out of slice-level use", StringComparison.Ordinal));
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(sliceEval, "metrics.json"))))
        {
            Assert.Equal(slices, metrics.RootElement.GetProperty("n").GetInt32());
            Assert.Equal(fixture.Studies.Sum(s => s.LabelledSlices.Values.Count(v => v == 1)), metrics.RootElement.GetProperty("positives").GetInt32());
        }

        // Fine-tune the parent on the export.
        var child = Path.Combine(work.Path, "site-v1");
        (exit, stdout, stderr) = Headsup("train", "--data", fixture.Export, "--resume-from", fixture.Parent, "--epochs", "1", "--val-fraction", "0.5", "--batch-size", "8", "--threads", "2", "--out", child);
        output.WriteLine(stdout + stderr);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("fine-tuned from feedback-parent 0.1.0", stdout, StringComparison.Ordinal);
        var parent = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.Parent, "model.json")))!;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(child, "model.json")))!;
        var recorded = manifest["training"]!["parent"]!;
        Assert.Equal("feedback-parent", (string?)recorded["name"]);
        Assert.Equal("0.1.0", (string?)recorded["version"]);
        Assert.Equal((string?)parent["weights"]!["sha256"], (string?)recorded["weights_sha256"]);
        Assert.Equal("feedback-parent-finetuned", (string?)manifest["name"]);
        Assert.Equal((string?)parent["architecture"], (string?)manifest["architecture"]);
        Assert.True(JsonNode.DeepEquals(parent["input"], manifest["input"]), manifest["input"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(parent["outputs"], manifest["outputs"]), "the subtype heads are kept");
        Assert.Equal("0.0001", (string?)manifest["training"]!["options"]!["learning_rate"]);
        Assert.NotEqual((string?)parent["weights"]!["sha256"], (string?)manifest["weights"]!["sha256"]);
        using (var package = ModelPackage.Load(child))
        {
            Assert.Equal("feedback-parent", package.Manifest.Training.Parent!.Name);
        }

        // The fine-tuned package is used like any other.
        var detect = Path.Combine(work.Path, "detect");
        var study = fixture.Studies[0];
        (exit, stdout, stderr) = Headsup("detect", Path.Combine(fixture.Export, "dicom", study.StudyInstanceUid), "--model", child, "--no-dicom", "--out", detect);
        Assert.True(exit == 0, stdout + stderr);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(detect, "results.json")));
        Assert.Equal("feedback-parent-finetuned", results.RootElement.GetProperty("model").GetProperty("name").GetString());
        var scored = Assert.Single(results.RootElement.GetProperty("studies").EnumerateArray());
        Assert.Equal(study.StudyInstanceUid, scored.GetProperty("study_instance_uid").GetString());
        Assert.InRange(scored.GetProperty("probability").GetDouble(), 0, 1);
    }

    [Fact]
    public void Train_ResumeFromWithConflictingArchAndSize_ExitsTwoNamingBoth()
    {
        using var work = TestData.CreateTempFolder();
        var zip = Path.Combine(work.Path, "parent.zip");
        ModelPackage.Zip(fixture.Parent, zip);
        var (exit, stdout, stderr) = Headsup("train", "--data", fixture.Export, "--resume-from", zip, "--arch", "resnet18", "--size", "64", "--recipe", "e1", "--epochs", "1", "--out", Path.Combine(work.Path, "m"));
        Assert.True(exit == 2, $"exit {exit}: {stdout}{stderr}");
        Assert.Contains("--arch resnet18 (the package is small-cnn)", stderr, StringComparison.Ordinal);
        Assert.Contains("--recipe e1 (the package takes gray-brain)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--size 64 (", stderr, StringComparison.Ordinal); // the package's own size is no conflict
        Assert.False(Directory.Exists(Path.Combine(work.Path, "m")));
    }

    [Fact]
    public void Train_ResumeFromIntoItself_ExitsTwoAndLeavesThePackage()
    {
        var before = File.ReadAllText(Path.Combine(fixture.Parent, "model.json"));
        var (exit, _, stderr) = Headsup("train", "--data", fixture.Export, "--resume-from", fixture.Parent, "--epochs", "1", "--out", fixture.Parent + "/");
        Assert.Equal(2, exit);
        Assert.Contains("--out must not be the --resume-from package", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(Path.Combine(fixture.Parent, "model.json")));
    }

    /// <summary>
    /// Four phantom studies (two with a bleed, two without; 256², 12 slices) written as a feedback export, and an
    /// untrained small-cnn package at 64² with subtype heads as the parent (what it scores does not matter here).
    /// </summary>
    public sealed class Fixture : IDisposable
    {
        private readonly TempFolder _folder = TestData.CreateTempFolder();

        public Fixture()
        {
            var phantoms = new List<string>();
            foreach (var (name, mode, seed) in new[] { ("positive", HemorrhageMode.Random, 41), ("negative", HemorrhageMode.None, 42) })
            {
                var folder = Path.Combine(_folder.Path, name);
                new PhantomGenerator(new PhantomOptions { Studies = 2, Seed = seed, SliceCount = 12, MatrixSize = 256, Hemorrhage = mode, PositiveStudyFraction = 1, WriteMasks = false }).Generate(folder);
                phantoms.Add(folder);
            }

            Export = Path.Combine(_folder.Path, "export");
            Studies = FeedbackExport.Write(phantoms, Export);
            Parent = Path.Combine(_folder.Path, "parent");
            UntrainedModel.Save(Parent, "feedback-parent", 7, version: "0.1.0");
        }

        /// <summary>The feedback export folder (labels.csv + dicom/).</summary>
        public string Export { get; }

        /// <summary>What the export holds, study by study.</summary>
        public IReadOnlyList<FeedbackExportStudy> Studies { get; }

        /// <summary>The parent package folder.</summary>
        public string Parent { get; }

        /// <inheritdoc />
        public void Dispose() => _folder.Dispose();
    }
}
