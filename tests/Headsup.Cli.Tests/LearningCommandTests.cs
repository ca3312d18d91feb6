using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Headsup.Inputs;
using Headsup.Testing;
using Headsup.Training.Evaluation;
using Xunit;

namespace Headsup.Cli.Tests;

/// <summary>dataset, train, evaluate, automl and experiments end to end on phantom studies (tiny budgets).</summary>
public sealed class LearningCommandTests : IClassFixture<LearningFixture>
{
    private readonly LearningFixture _data;

    public LearningCommandTests(LearningFixture data) => _data = data;

    private static (int ExitCode, string Stdout, string Stderr) Headsup(params string[] args) => HeadsupCliTests.Headsup(args);

    [Fact]
    public void TrainedPackage_HasManifestWeightsAndTrainingData()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_data.Model, "model.json")))!;
        Assert.Equal("headsup-model", (string?)manifest["format"]);
        Assert.Equal("small-cnn", (string?)manifest["architecture"]);
        Assert.Equal(64, (int?)manifest["input"]!["size"]);
        Assert.Equal("any", (string?)manifest["outputs"]![0]);
        Assert.True((bool?)manifest["not_for_clinical_use"]);
        Assert.Equal(64, ((string?)manifest["training"]!["manifest_hash"])!.Length);
        Assert.True(File.Exists(Path.Combine(_data.Model, "weights.bin")));
        var training = JsonNode.Parse(File.ReadAllText(Path.Combine(_data.Model, "training-manifest.json")))!;
        Assert.Equal((string?)manifest["training"]!["manifest_hash"], (string?)training["content_hash"]);
        Assert.False(Directory.Exists(_data.Model + ".checkpoint"), "the checkpoint is removed once the package is complete");
    }

    [Fact]
    public void TrainedPackage_MakesNoStudyDecision_UntilCalibratedOrGivenAThreshold()
    {
        // Its operating point was chosen on phantom validation slices: not a study threshold. Detect ranks, flags none.
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(_data.Model, "model.json")))!;
        Assert.Equal("insufficient real data", (string?)manifest["study"]!["status"]);
        Assert.Contains("calibrate-study", (string?)manifest["study"]!["status_detail"], StringComparison.Ordinal);

        using var output = TestData.CreateTempFolder();
        var dicom = Path.Combine(_data.PhantomRoot, "dicom");
        var (exit, _, stderr) = Headsup("detect", dicom, "--model", _data.Model, "--explain", "none", "--no-dicom", "--out", Path.Combine(output.Path, "ranked"));
        Assert.True(exit == 0, stderr);
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(output.Path, "ranked", "results.json")))!["studies"]!.AsArray();
        Assert.Equal(LearningFixture.Studies, studies.Count);
        Assert.All(studies, s =>
        {
            Assert.Null(s!["positive"]);
            Assert.Equal("insufficient real data", (string?)s["calibration"]);
            Assert.InRange((double)s["probability"]!, 0, 1);
        });

        // An explicit threshold decides, and results.json says it was not a fitted one.
        (exit, _, stderr) = Headsup("detect", dicom, "--model", _data.Model, "--explain", "none", "--no-dicom", "--threshold", "0.5", "--out", Path.Combine(output.Path, "decided"));
        Assert.True(exit == 0, stderr);
        var decided = JsonNode.Parse(File.ReadAllText(Path.Combine(output.Path, "decided", "results.json")))!["studies"]!.AsArray();
        Assert.All(decided, s =>
        {
            Assert.Equal((double)s!["probability"]! >= 0.5, (bool?)s["positive"]);
            Assert.StartsWith("decided at the threshold given", (string?)s["calibration_detail"], StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Evaluate_Slices_WritesMetricsPredictionsPlotsAndReport()
    {
        using var output = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("evaluate", "--model", _data.Model, "--data", _data.Phantom, "--out", output.Path, "--bootstrap", "200");
        Assert.True(exit == 0, stdout + stderr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal("slice", root.GetProperty("level").GetString());
        Assert.Equal(_data.Slices, root.GetProperty("n").GetInt32());
        foreach (var key in new[] { "positives", "auc", "average_precision", "precision", "recall", "f1", "specificity", "ece" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        Assert.True(root.GetProperty("not_for_clinical_use").GetBoolean());
        var lines = File.ReadAllLines(Path.Combine(output.Path, "predictions.csv"));
        Assert.StartsWith("file,label,probability", lines[0], StringComparison.Ordinal);
        Assert.Equal(_data.Slices + 1, lines.Length);
        foreach (var png in new[] { "pr.png", "roc.png", "calibration.png" })
        {
            Assert.True(new FileInfo(Path.Combine(output.Path, png)).Length > 5000, png);
        }

        Assert.Contains("NOT FOR CLINICAL USE", File.ReadAllText(Path.Combine(output.Path, "report.md")), StringComparison.Ordinal);

        // DICOM slices are also reported by level of the head. Each slice's head_level is its DICOM's level by
        // HeadLevels; each level's AUC is the pairwise (Mann–Whitney) AUC of its own predictions.csv rows.
        Assert.EndsWith(",head_level", lines[0], StringComparison.Ordinal);
        var rows = lines.Skip(1).Select(l => l.Split(',')).Select(c => (File: c[0], Label: int.Parse(c[1], CultureInfo.InvariantCulture), P: double.Parse(c[2], CultureInfo.InvariantCulture), Level: c[^1])).ToList();
        foreach (var row in rows)
        {
            var level = HeadLevels.Of(SliceImageLoader.Load(Path.Combine(_data.PhantomRoot, row.File)));
            Assert.Equal(level is { } l ? HeadLevels.Name(l) : string.Empty, row.Level);
        }

        var groups = root.GetProperty("groups");
        Assert.Equal("head_level", groups.GetProperty("by").GetString());
        var items = groups.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["mid-head", "skull base or vertex"], items.Select(i => i.GetProperty("name").GetString()));
        foreach (var item in items)
        {
            var members = rows.Where(r => r.Level == item.GetProperty("name").GetString()).ToList();
            Assert.Equal(members.Count, item.GetProperty("n").GetInt32());
            var pos = members.Where(r => r.Label == 1).Select(r => r.P).ToList();
            var neg = members.Where(r => r.Label == 0).Select(r => r.P).ToList();
            if (pos.Count > 0 && neg.Count > 0)
            {
                double pairs = pos.Sum(p => neg.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0.0));
                Assert.Equal(pairs / (pos.Count * neg.Count), item.GetProperty("auc").GetProperty("value").GetDouble(), 9);
            }
        }

        Assert.Contains("  by head_level:", stdout, StringComparison.Ordinal);
        Assert.Contains("## By head_level", File.ReadAllText(Path.Combine(output.Path, "report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Studies_ScoresOneRowPerStudy()
    {
        using var output = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("evaluate", "--model", _data.Model, "--data", _data.Phantom, "--level", "study", "--out", output.Path, "--bootstrap", "100");
        Assert.True(exit == 0, stdout + stderr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        Assert.Equal("study", metrics.RootElement.GetProperty("level").GetString());
        Assert.Equal(LearningFixture.Studies, metrics.RootElement.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Evaluate_PackageOfAnotherVersion_StopsWithAClearMessage()
    {
        using var copy = TestData.CreateTempFolder();
        foreach (var file in Directory.GetFiles(_data.Model))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }

        var path = Path.Combine(copy.Path, "model.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["format_version"] = 2;
        File.WriteAllText(path, json.ToJsonString());
        using var output = TestData.CreateTempFolder();
        var (exit, _, stderr) = Headsup("evaluate", "--model", copy.Path, "--data", _data.Phantom, "--out", output.Path);
        Assert.Equal(3, exit);
        Assert.Contains("format version 2", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(output.Path));
    }

    [Fact]
    public void DatasetAndTrain_GroupNearDuplicates_KeepEveryCopyOfASliceOnOneSide()
    {
        using var work = TestData.CreateTempFolder();
        // 16 display heads without patient ids, half positive; h00 again as another export (bigger, shifted, other
        // window) and h09 again unchanged: two pairs a random split would separate for some seed.
        var lines = new List<string> { "image,hemorrhage" };
        for (int i = 0; i < 16; i++)
        {
            TestImages.WriteDisplayHeadPng(Path.Combine(work.Path, "images", $"h{i:00}.png"), seed: 100 + i, size: 128);
            lines.Add($"images/h{i:00}.png,{i % 2}");
        }

        TestImages.WriteDisplayHeadPng(Path.Combine(work.Path, "images", "h00-export.png"), seed: 100, size: 150, scale: 1.1, shiftX: 6, shiftY: -4, tone: v => (v - 20) * 1.6f);
        TestImages.WriteDisplayHeadPng(Path.Combine(work.Path, "images", "h09-copy.png"), seed: 109, size: 128);
        lines.Add("images/h00-export.png,0");
        lines.Add("images/h09-copy.png,0");
        var csv = Path.Combine(work.Path, "labels.csv");
        File.WriteAllLines(csv, lines);

        static Dictionary<string, (string Patient, string Split)> Entries(string manifest) =>
            JsonNode.Parse(File.ReadAllText(manifest))!["entries"]!.AsArray().ToDictionary(
                e => Path.GetFileNameWithoutExtension(e!["file"]!.GetValue<string>()),
                e => (e!["patient_id"]!.GetValue<string>(), e!["split"]!.GetValue<string>()));

        for (int seed = 1; seed <= 3; seed++)
        {
            var manifest = Path.Combine(work.Path, $"m{seed}.json");
            var (exit, stdout, stderr) = Headsup("dataset", "--data", csv, "--group-near-duplicates", "--val-fraction", "0.4", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", manifest);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Contains("near-duplicates: 2 group(s) of 4 images among 18", stderr, StringComparison.Ordinal);
            Assert.Contains("images/h00-export.png images/h00.png", stderr, StringComparison.Ordinal);
            Assert.Contains("labels disagree", stderr, StringComparison.Ordinal);
            var entries = Entries(manifest);
            Assert.Equal("near-duplicates:images/h00-export.png", entries["h00"].Patient);
            Assert.Equal(entries["h00"], entries["h00-export"]);
            Assert.Equal(entries["h09"], entries["h09-copy"]);
            Assert.Equal("row:images/h01.png", entries["h01"].Patient);
        }

        var model = Path.Combine(work.Path, "model");
        var (trainExit, trainOut, trainErr) = Headsup("train", "--data", csv, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--val-fraction", "0.4", "--group-near-duplicates", "--out", model);
        Assert.True(trainExit == 0, trainOut + trainErr);
        Assert.Contains("near-duplicates: 2 group(s)", trainOut + trainErr, StringComparison.Ordinal);
        var trained = Entries(Path.Combine(model, "training-manifest.json"));
        Assert.Equal(trained["h00"], trained["h00-export"]);
        Assert.Equal(trained["h09"], trained["h09-copy"]);
        var options = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "model.json")))!["training"]!["options"]!;
        Assert.Equal("true", options["group_near_duplicates"]!.GetValue<string>());
        Assert.Equal("0.97", options["near_duplicate_threshold"]!.GetValue<string>());

        var (badExit, _, badErr) = Headsup("dataset", "--data", csv, "--group-near-duplicates", "--near-duplicate-threshold", "0.2", "--out", Path.Combine(work.Path, "bad.json"));
        Assert.Equal(2, badExit);
        Assert.Contains("--near-duplicate-threshold", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_WeightAveraging_IsRecordedInThePackage()
    {
        using var work = TestData.CreateTempFolder();
        var model = Path.Combine(work.Path, "model");
        var (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "2", "--patience", "5", "--val-fraction", "0.34", "--average-from-epoch", "1", "--out", model);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("weights averaged over epochs 1–2", stdout, StringComparison.Ordinal);
        var training = JsonNode.Parse(File.ReadAllText(Path.Combine(model, "model.json")))!["training"]!;
        Assert.Equal([1, 2], training["averaged_epochs"]!.AsArray().Select(e => e!.GetValue<int>()));
        Assert.Equal("1", training["options"]!["average_from_epoch"]!.GetValue<string>());
        var (badExit, _, badErr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--average-from-epoch", "-1", "--out", Path.Combine(work.Path, "bad"));
        Assert.Equal(2, badExit);
        Assert.Contains("--average-from-epoch", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_TestTimeAugmentation_IsRecorded_LeavesTheWeights_AndCalibratesOnTheAveragedScores()
    {
        using var work = TestData.CreateTempFolder();
        string[] common = ["train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--val-fraction", "0.34", "--seed", "3", "--weights", "float32", "--threads", "1"];
        var plain = Path.Combine(work.Path, "plain");
        var flip = Path.Combine(work.Path, "flip");
        var (exit, stdout, stderr) = Headsup([.. common, "--out", plain]);
        Assert.True(exit == 0, stdout + stderr);
        (exit, stdout, stderr) = Headsup([.. common, "--test-time-augmentation", "horizontal-flip", "--out", flip]);
        Assert.True(exit == 0, stdout + stderr);

        var plainJson = JsonNode.Parse(File.ReadAllText(Path.Combine(plain, "model.json")))!;
        var flipJson = JsonNode.Parse(File.ReadAllText(Path.Combine(flip, "model.json")))!;
        Assert.Null(plainJson["test_time_augmentation"]);
        Assert.Equal("horizontal-flip", (string?)flipJson["test_time_augmentation"]);
        Assert.Equal("horizontal-flip", (string?)flipJson["training"]!["options"]!["test_time_augmentation"]);
        Assert.Equal("none", (string?)plainJson["training"]!["options"]!["test_time_augmentation"]);
        // Training is the same; only what the package scores (and so its calibration) differs.
        Assert.Equal((string?)plainJson["weights"]!["sha256"], (string?)flipJson["weights"]!["sha256"]);
        Assert.NotEqual((double)plainJson["calibration"]!["a"]!, (double)flipJson["calibration"]!["a"]!);

        // evaluate scores each package its own way: the same weights give other probabilities.
        static Dictionary<string, double> Scores(string predictions) => File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(','))
            .ToDictionary(c => c[0], c => double.Parse(c[2], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var scored = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var model in new[] { plain, flip })
        {
            var outDir = Path.Combine(work.Path, "eval-" + Path.GetFileName(model));
            (exit, stdout, stderr) = Headsup("evaluate", "--model", model, "--data", _data.PhantomRoot, "--bootstrap", "100", "--out", outDir);
            Assert.True(exit == 0, stdout + stderr);
            scored[model] = Scores(Path.Combine(outDir, "predictions.csv"));
        }

        Assert.Equal(scored[plain].Keys.Order(), scored[flip].Keys.Order());
        Assert.Contains(scored[plain], kv => Math.Abs(kv.Value - scored[flip][kv.Key]) > 1e-4);

        var (badExit, _, badErr) = Headsup([.. common, "--test-time-augmentation", "rotate", "--out", Path.Combine(work.Path, "bad")]);
        Assert.Equal(2, badExit);
        Assert.Contains("'rotate' not recognized", badErr, StringComparison.Ordinal);
        Assert.Contains("horizontal-flip", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_Soup_IsTheMeanOfTheSameRunsAtConsecutiveTrainingSeeds()
    {
        using var work = TestData.CreateTempFolder();
        string[] common = ["train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "2", "--patience", "5", "--val-fraction", "0.34", "--seed", "3", "--weights", "float32", "--threads", "1", "--synthetic-per-negative", "0.5"];
        var soup = Path.Combine(work.Path, "soup");
        var (exit, stdout, stderr) = Headsup([.. common, "--training-seed", "5", "--soup", "2", "--out", soup]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("weights averaged over 2 networks (training seeds 5, 6)", stdout, StringComparison.Ordinal);
        var members = new List<string>();
        foreach (var trainingSeed in new[] { "5", "6" })
        {
            var member = Path.Combine(work.Path, "member-" + trainingSeed);
            var (memberExit, memberOut, memberErr) = Headsup([.. common, "--training-seed", trainingSeed, "--out", member]);
            Assert.True(memberExit == 0, memberOut + memberErr);
            members.Add(member);
        }

        // The split is the seed's, not the training seed's: every run validated on the same slices.
        var manifests = new[] { soup }.Concat(members).Select(m => JsonNode.Parse(File.ReadAllText(Path.Combine(m, "training-manifest.json")))!).ToList();
        var validationSets = manifests.Select(m => string.Join('|', m["entries"]!.AsArray().Where(x => (string?)x!["split"] == "validation").Select(x => (string?)x!["file"]).Order(StringComparer.Ordinal))).ToList();
        Assert.NotEqual(string.Empty, validationSets[0]);
        Assert.All(validationSets, v => Assert.Equal(validationSets[0], v));

        var training = JsonNode.Parse(File.ReadAllText(Path.Combine(soup, "model.json")))!["training"]!;
        Assert.Equal([5, 6], training["soup"]!.AsArray().Select(m => m!["training_seed"]!.GetValue<int>()));
        Assert.Equal("2", training["options"]!["soup"]!.GetValue<string>());
        Assert.Equal("5", training["options"]!["training_seed"]!.GetValue<string>());
        Assert.Equal(3, training["seed"]!.GetValue<int>());
        Assert.Null(JsonNode.Parse(File.ReadAllText(Path.Combine(members[0], "model.json")))!["training"]!["soup"]);
        Assert.True(training["synthetic_positives"]!.GetValue<int>() > 0, "each member draws its own inserted lesions");

        // Every stored tensor of the soup is the mean of the two single runs' (BatchNorm statistics included).
        using var averaged = global::Headsup.Models.Packaging.ModelPackage.Load(soup);
        using var first = global::Headsup.Models.Packaging.ModelPackage.Load(members[0]);
        using var second = global::Headsup.Models.Packaging.ModelPackage.Load(members[1]);
        var a = first.Network.state_dict();
        var b = second.Network.state_dict();
        int compared = 0;
        bool membersDiffer = false;
        foreach (var (name, tensor) in averaged.Network.state_dict())
        {
            if (!tensor.is_floating_point())
            {
                continue;
            }

            var mean = (a[name] + b[name]) / 2;
            double error = (tensor - mean).abs().max().item<float>();
            Assert.True(error < 1e-5, $"{name}: soup differs from the members' mean by {error}");
            membersDiffer |= (a[name] - b[name]).abs().max().item<float>() > 1e-4;
            compared++;
        }

        Assert.True(compared > 10, $"{compared} tensors compared");
        Assert.True(membersDiffer, "the two training seeds gave the same network");

        var (badExit, _, badErr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--soup", "9", "--out", Path.Combine(work.Path, "bad"));
        Assert.Equal(2, badExit);
        Assert.Contains("--soup", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_CsvNamingMissingFiles_ReportsThemAndStillTrains()
    {
        using var work = TestData.CreateTempFolder();
        var csv = Path.Combine(_data.PhantomRoot, "with-missing.csv");
        var lines = File.ReadAllLines(Path.Combine(_data.PhantomRoot, "labels.csv")).ToList();
        lines.Add("dicom/ID_does_not_exist.dcm,P-missing,,,1,,,,,");
        File.WriteAllLines(csv, lines);
        var model = Path.Combine(work.Path, "model");
        var (exit, stdout, stderr) = Headsup("train", "--data", csv, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--val-fraction", "0.34", "--out", model);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains("ID_does_not_exist.dcm", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(model, "model.json")));
    }

    [Fact]
    public void Train_FreshLesionsAndHardNegatives_AreRecorded_AndRefreshAloneIsRefused()
    {
        using var work = TestData.CreateTempFolder();
        var refused = Path.Combine(work.Path, "refused");
        var (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--synthetic-refresh", "--out", refused);
        Assert.True(exit == 2, stdout + stderr);
        Assert.Contains("--synthetic-per-negative", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));

        var model = Path.Combine(work.Path, "model");
        (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "2", "--val-fraction", "0.34",
            "--synthetic-per-negative", "0.5", "--synthetic-mimics", "0.5", "--synthetic-refresh", "--hard-negatives", "2", "--out", model);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("fresh draw 2", stdout + stderr, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json")));
        var options = json.RootElement.GetProperty("training").GetProperty("options");
        Assert.Equal("true", options.GetProperty("synthetic_refresh").GetString());
        Assert.Equal("2", options.GetProperty("hard_negatives").GetString());
        Assert.Equal("0.5", options.GetProperty("synthetic_mimics_per_negative").GetString());
        Assert.True(json.RootElement.GetProperty("training").GetProperty("synthetic_negatives").GetInt32() > 0, stdout);
        Assert.Contains("calcifications (bleed mimics)", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BrainPlusWithDisplayDropoutAndSaturatedSkullBone_IsRecorded_AndEitherWithoutItIsRefused()
    {
        using var work = TestData.CreateTempFolder();
        var refused = Path.Combine(work.Path, "refused");
        var (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--display-dropout", "0.5", "--out", refused);
        Assert.True(exit == 2, stdout + stderr);
        Assert.Contains("--display-dropout", stderr, StringComparison.Ordinal);
        Assert.Contains("brain-plus", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));
        (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--display-bone-saturated", "--out", refused);
        Assert.True(exit == 2, stdout + stderr);
        Assert.Contains("--display-bone-saturated", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));

        var model = Path.Combine(work.Path, "model");
        (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--val-fraction", "0.34",
            "--recipe", "brain-plus", "--display-dropout", "0.5", "--display-bone-saturated", "--out", model);
        Assert.True(exit == 0, stdout + stderr);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json")));
        var input = json.RootElement.GetProperty("input");
        Assert.Equal("brain-plus", input.GetProperty("recipe").GetString());
        Assert.Equal(3, input.GetProperty("channels").GetInt32());
        Assert.Equal("0.5", json.RootElement.GetProperty("training").GetProperty("options").GetProperty("display_dropout").GetString());
        Assert.Equal("saturated-skull", input.GetProperty("display_bone").GetString());
        Assert.Equal("saturated-skull", json.RootElement.GetProperty("training").GetProperty("options").GetProperty("display_bone").GetString());
        (exit, stdout, stderr) = Headsup("train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--recipe", "brain-plus", "--display-dropout-real-only", "--out", refused);
        Assert.True(exit == 2, stdout + stderr);
        Assert.Contains("--display-dropout-real-only: display dropout for real inputs only needs display dropout", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(refused));
        Assert.Equal("false", json.RootElement.GetProperty("training").GetProperty("options").GetProperty("display_dropout_real_only").GetString());

        // With inserted lesions, display dropout for real inputs only is recorded and trains other weights from the
        // same seed (the synthetic positives keep their HU channels); without inserted lesions it changes nothing.
        string Weights(string dir) => System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "model.json"))).RootElement.GetProperty("weights").GetProperty("sha256").GetString()!;
        string Train(string dir, params string[] extra)
        {
            var args = new List<string> { "train", "--data", _data.PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--val-fraction", "0.34", "--recipe", "brain-plus", "--display-dropout", "0.5", "--out", Path.Combine(work.Path, dir) };
            args.AddRange(extra);
            var (code, o, e) = Headsup([.. args]);
            Assert.True(code == 0, o + e);
            return Weights(Path.Combine(work.Path, dir));
        }

        string lesions = Train("lesions", "--synthetic-per-negative", "1");
        string realOnly = Train("lesions-real-only", "--synthetic-per-negative", "1", "--display-dropout-real-only");
        Assert.NotEqual(lesions, realOnly);
        Assert.Equal("true", System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(work.Path, "lesions-real-only", "model.json"))).RootElement.GetProperty("training").GetProperty("options").GetProperty("display_dropout_real_only").GetString());
        Assert.Equal(Train("plain"), Train("plain-real-only", "--display-dropout-real-only"));
    }

    [Fact]
    public void LesionCheck_InsertedIntoNegatives_ScoresEveryLesionWithItsSubtypeAndSize_Repeatably()
    {
        using var work = TestData.CreateTempFolder();
        string Run(string name)
        {
            var outDir = Path.Combine(work.Path, name);
            var (exit, stdout, stderr) = Headsup("lesion-check", "--insert-into", _data.PhantomRoot, "--inserted", "5", "--seed", "3", "--methods", "gradcam", "--model", _data.Model, "--out", outDir);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Contains("lesions inserted into real negative slices", stdout, StringComparison.Ordinal);
            return outDir;
        }

        var first = Run("a");
        var rows = File.ReadAllLines(Path.Combine(first, "lesion-check.csv"));
        Assert.EndsWith("subtype,bleed_pixels", rows[0], StringComparison.Ordinal);
        Assert.InRange(rows.Length - 1, 1, 5);
        string[] subtypes = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"];
        foreach (var row in rows.Skip(1))
        {
            var cells = row.Split(',');
            Assert.Contains("#inserted-", cells[0], StringComparison.Ordinal);
            Assert.Contains(cells[^2], subtypes);
            Assert.True(int.Parse(cells[^1], System.Globalization.CultureInfo.InvariantCulture) > 0, row);
        }

        var report = File.ReadAllText(Path.Combine(first, "report.md"));
        Assert.Contains("| gradcam | subtype ", report, StringComparison.Ordinal);
        Assert.Contains("| gradcam | model ", report, StringComparison.Ordinal);

        // The same seed inserts the same lesions: every column but the time is equal.
        static IEnumerable<string> WithoutSeconds(string folder) => File.ReadAllLines(Path.Combine(folder, "lesion-check.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 8)));
        Assert.Equal(WithoutSeconds(first), WithoutSeconds(Run("b")));

        var (both, _, bothErr) = Headsup("lesion-check", "--data", _data.PhantomRoot, "--insert-into", _data.PhantomRoot, "--model", _data.Model, "--out", Path.Combine(work.Path, "c"));
        Assert.Equal(2, both);
        Assert.Contains("either --data", bothErr, StringComparison.Ordinal);
        var (neither, _, _) = Headsup("lesion-check", "--model", _data.Model, "--out", Path.Combine(work.Path, "d"));
        Assert.Equal(2, neither);
        var (badRange, _, badErr) = Headsup("lesion-check", "--insert-into", _data.PhantomRoot, "--conspicuity", "0.5-0.2", "--model", _data.Model, "--out", Path.Combine(work.Path, "e"));
        Assert.Equal(2, badRange);
        Assert.Contains("--conspicuity", badErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_OneClass_StopsCleanly_WithoutAPackage()
    {
        using var work = TestData.CreateTempFolder();
        var csv = Path.Combine(_data.PhantomRoot, "negatives.csv");
        var lines = File.ReadAllLines(Path.Combine(_data.PhantomRoot, "labels.csv"));
        File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Where(l => l.Split(',')[4] == "0")));
        var model = Path.Combine(work.Path, "model");
        var (exit, stdout, stderr) = Headsup("train", "--data", csv, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--out", model);
        Assert.True(exit == 3, stdout + stderr);
        Assert.Contains("class", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void Dataset_WritesAManifest_ThatVerifies_AndCatchesAChangedFile()
    {
        using var work = TestData.CreateTempFolder();
        var copy = Path.Combine(work.Path, "phantom");
        CopyFolder(_data.PhantomRoot, copy);
        var manifest = Path.Combine(work.Path, "manifest.json");
        var (exit, stdout, stderr) = Headsup("dataset", "--data", copy, "--val-fraction", "0.34", "--out", manifest);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("content hash", stdout, StringComparison.Ordinal);
        Assert.Equal(0, Headsup("dataset", "--verify", manifest).ExitCode);
        var victim = Directory.GetFiles(Path.Combine(copy, "dicom"))[0];
        var bytes = File.ReadAllBytes(victim);
        bytes[^1] ^= 1;
        File.WriteAllBytes(victim, bytes);
        var (verifyExit, _, verifyErr) = Headsup("dataset", "--verify", manifest);
        Assert.Equal(1, verifyExit);
        Assert.Contains(Path.GetFileName(victim), verifyErr, StringComparison.Ordinal);
    }

    [Fact]
    public void AutoMl_SmokeBudget_WritesLeaderboardAndBestModel()
    {
        using var work = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("automl", "--data", _data.Phantom, "--budget", "40s", "--candidates", "3", "--archs", "small-cnn", "--sizes", "64", "--recipes", "gray-brain,e2", "--out", work.Path);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("leaderboard", stdout, StringComparison.OrdinalIgnoreCase);
        var rows = File.ReadAllLines(Path.Combine(work.Path, "leaderboard.csv"));
        Assert.True(rows.Length >= 3, string.Join('\n', rows));
        Assert.True(File.Exists(Path.Combine(work.Path, "model", "model.json")));
        Assert.StartsWith("trial,bracket,rung,", rows[0], StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateLeaveOneSourceOut_TwoPhantomSources_TrainsEachFoldAndWritesTheTable()
    {
        using var work = TestData.CreateTempFolder();
        var second = SecondPhantomSource(work.Path);
        var outDir = Path.Combine(work.Path, "transfer");
        var (exit, stdout, stderr) = Headsup("evaluate", "--protocol", "leave-one-source-out", "--data", _data.Phantom, second, "--train-like", _data.Model, "--set", "epochs=1", "--bootstrap", "200", "--out", outDir);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("leave-one-source-out (trained like", stdout, StringComparison.Ordinal);
        Assert.Contains("epochs=1", stdout, StringComparison.Ordinal);

        // One fold per source, each with its own package trained without it (the recorded options, epochs overridden).
        foreach (var name in new[] { "phantom", "phantom-b" })
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "folds", name, "model", "model.json")))!;
            Assert.Equal("small-cnn", (string?)manifest["architecture"]);
            Assert.Equal("1", (string?)manifest["training"]!["options"]!["epochs"]);
            Assert.Equal("transfer-without-" + name, (string?)manifest["name"]);
        }

        // transfer.csv: a slice row and a study row (DICOM studies, scored as detect does) per held-out source; no
        // pooled real-DICOM row, because phantoms are not real data. Every AUC sits inside its CI and equals the fold's report.
        var rows = File.ReadAllLines(Path.Combine(outDir, "transfer.csv"));
        Assert.StartsWith("held_out,level,n,positives,prevalence,auc,auc_low,auc_high,", rows[0], StringComparison.Ordinal);
        var cells = rows.Skip(1).Select(r => r.Split(',')).ToList();
        Assert.Equal(["phantom/slice", "phantom/study", "phantom-b/slice", "phantom-b/study"], cells.Select(c => c[0] + "/" + c[1]));
        Assert.Equal(_data.Slices, int.Parse(cells[0][2], CultureInfo.InvariantCulture));
        foreach (var c in cells.Where(c => c[5].Length > 0))
        {
            double auc = double.Parse(c[5], CultureInfo.InvariantCulture), low = double.Parse(c[6], CultureInfo.InvariantCulture), high = double.Parse(c[7], CultureInfo.InvariantCulture);
            Assert.InRange(auc, low, high);
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "folds", c[0], c[1], "metrics.json")))!;
            Assert.Equal((double)metrics["auc"]!, auc, 5);
        }

        Assert.Contains("NOT FOR CLINICAL USE", File.ReadAllText(Path.Combine(outDir, "transfer.md")), StringComparison.Ordinal);
        Assert.Equal("leave-one-source-out", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "transfer.json")))!["protocol"]);
    }

    [Fact]
    public void EvaluateLeaveOneSourceOut_DicomLabelsSource_PoolsItAndScoresItAgainAsDisplayImages()
    {
        // A DICOM source given by its labels CSV (not a phantom folder) counts as real DICOM: it is pooled, and scored a
        // second time rendered as 40/80 and as 40/120 display images. Independent check of each: the same slices written as
        // 8-bit PNGs by `preprocess --recipe e1 --brain-window` and scored by `evaluate` with the fold's model give the
        // same probabilities.
        using var work = TestData.CreateTempFolder();
        var generated = Path.Combine(work.Path, "generated");
        var (exit, stdout, stderr) = Headsup("phantom", "--out", generated, "--studies", "2", "--seed", "8", "--hemorrhage", "subdural");
        Assert.True(exit == 0, stdout + stderr);

        // The same DICOM files listed by a labels CSV in a folder of its own: a source named "site-b", not a phantom.
        var site = Directory.CreateDirectory(Path.Combine(work.Path, "site-b")).FullName;
        var lines = File.ReadAllLines(Path.Combine(generated, "labels.csv"));
        File.WriteAllLines(Path.Combine(site, "labels.csv"), lines.Take(1).Concat(lines.Skip(1).Select(l => Path.Combine(generated, l))));
        var outDir = Path.Combine(work.Path, "transfer");
        (exit, stdout, stderr) = Headsup("evaluate", "--protocol", "leave-one-source-out", "--data", _data.Phantom, Path.Combine(site, "labels.csv"), "--hold-out", "site-b", "--train-like", _data.Model, "--set", "epochs=1", "--bootstrap", "200", "--out", outDir);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("again as 40/80 display images", stderr + stdout, StringComparison.Ordinal);
        Assert.Contains("again as 40/120 display images", stderr + stdout, StringComparison.Ordinal);

        var cells = File.ReadAllLines(Path.Combine(outDir, "transfer.csv")).Skip(1)
            .Select(r => System.Text.RegularExpressions.Regex.Split(r, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").Select(c => c.Trim('"')).ToArray()).ToList();
        var dicom = Assert.Single(cells, c => c[0] == SourceTransfer.PooledRealDicom);
        static Dictionary<string, double> Probabilities(string csv) => File.ReadAllLines(csv).Skip(1).Select(l => l.Split(','))
            .ToDictionary(c => Path.GetFileName(c[0]).Replace(".png", string.Empty, StringComparison.Ordinal), c => double.Parse(c[2], CultureInfo.InvariantCulture));
        var byWindow = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (window, folder) in new[] { ("40/80", "pooled-real-as-display"), ("40/120", "pooled-real-as-display-40-120") })
        {
            var display = Assert.Single(cells, c => c[0] == $"pooled: the same slices as {window} display images");
            Assert.Equal(dicom[2], display[2]);
            Assert.Equal(dicom[3], display[3]);
            Assert.True(display[5].Length > 0, "the pooled AUC is defined");

            var png = Path.Combine(work.Path, "png-" + folder);
            (exit, stdout, stderr) = Headsup("preprocess", Path.Combine(generated, "dicom"), "--recipe", "e1", "--brain-window", window, "--format", "png", "--out", png);
            Assert.True(exit == 0, stdout + stderr);
            var pngSite = Directory.CreateDirectory(Path.Combine(work.Path, "site-b-" + folder)).FullName;
            File.WriteAllLines(Path.Combine(pngSite, "labels.csv"), lines.Take(1).Concat(lines.Skip(1).Select(l => Path.Combine(png, Path.GetFileName(l.Split(',')[0]) + ".png") + l[l.IndexOf(',', StringComparison.Ordinal)..])));
            var scoredDir = Path.Combine(work.Path, "scored-" + folder);
            (exit, stdout, stderr) = Headsup("evaluate", "--model", Path.Combine(outDir, "folds", "site-b", "model"), "--data", Path.Combine(pngSite, "labels.csv"), "--bootstrap", "200", "--out", scoredDir);
            Assert.True(exit == 0, stdout + stderr);
            var fromProtocol = Probabilities(Path.Combine(outDir, folder, "predictions.csv"));
            var fromPngs = Probabilities(Path.Combine(scoredDir, "predictions.csv"));
            Assert.Equal(fromProtocol.Keys.Order(), fromPngs.Keys.Order());
            foreach (var (file, p) in fromProtocol)
            {
                Assert.Equal(p, fromPngs[file], 4);
            }

            byWindow[window] = fromProtocol;
        }

        // The fold's own slice report splits its DICOM slices by level too.
        Assert.EndsWith(",head_level", File.ReadLines(Path.Combine(outDir, "folds", "site-b", "slice", "predictions.csv")).First(), StringComparison.Ordinal);

        // The two renderings are different inputs (a wider window is a different image), not one scored twice.
        Assert.Contains(byWindow["40/80"], kv => Math.Abs(kv.Value - byWindow["40/120"][kv.Key]) > 1e-6);

        // Every pooled row is also reported at mid-head and at the skull base or vertex: the phantom series run from the
        // skull base to the vertex, so both levels hold slices; together they are the pooled row's slices, with the same
        // probabilities, and each slice sits where its DICOM's intracranial area puts it.
        foreach (var (name, folder) in new[] { (SourceTransfer.PooledRealDicom, "pooled-real-dicom"), ("pooled: the same slices as 40/80 display images", "pooled-real-as-display"), ("pooled: the same slices as 40/120 display images", "pooled-real-as-display-40-120") })
        {
            var whole = Probabilities(Path.Combine(outDir, folder, "predictions.csv"));
            var mid = Probabilities(Path.Combine(outDir, folder + "-mid-head", "predictions.csv"));
            var low = Probabilities(Path.Combine(outDir, folder + "-base-or-vertex", "predictions.csv"));
            Assert.NotEmpty(mid);
            Assert.NotEmpty(low);
            Assert.Equal(whole.Keys.Order(), mid.Keys.Concat(low.Keys).Order());
            Assert.All(mid.Concat(low), kv => Assert.Equal(whole[kv.Key], kv.Value, 9));
            Assert.Equal(mid.Count.ToString(CultureInfo.InvariantCulture), Assert.Single(cells, c => c[0] == name + SourceTransfer.MidHeadSuffix)[2]);
            Assert.Equal(low.Count.ToString(CultureInfo.InvariantCulture), Assert.Single(cells, c => c[0] == name + SourceTransfer.BaseOrVertexSuffix)[2]);
            foreach (var (file, _) in mid.Concat(low))
            {
                var image = SliceImageLoader.Load(Path.Combine(generated, "dicom", file));
                Assert.Equal(mid.ContainsKey(file) ? HeadLevel.MidHead : HeadLevel.BaseOrVertex, HeadLevels.Of(image));
            }
        }
    }

    [Fact]
    public void EvaluateLeaveOneSourceOut_KilledMidFold_ResumesFromTheCheckpoint_ToTheSameModel()
    {
        // Independent reference: the same fold trained without interruption in another folder. A run killed after its
        // first epoch's checkpoint (possibly in the middle of the next save) and started again goes on from there and
        // ends with the same weights and history.
        using var work = TestData.CreateTempFolder();
        var second = SecondPhantomSource(work.Path);
        string[] Args(string outDir) => ["evaluate", "--protocol", "leave-one-source-out", "--data", _data.Phantom, second, "--hold-out", "phantom-b", "--train-like", _data.Model, "--set", "epochs=4", "--set", "patience=50", "--bootstrap", "100", "--out", outDir];

        var whole = Path.Combine(work.Path, "whole");
        var (exit, stdout, stderr) = Headsup(Args(whole));
        Assert.True(exit == 0, stdout + stderr);

        var resumed = Path.Combine(work.Path, "resumed");
        var state = Path.Combine(resumed, "folds", "phantom-b", "checkpoint", "state.json");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "headsup.dll") }.Concat(Args(resumed)))
        {
            start.ArgumentList.Add(arg);
        }

        using (var process = System.Diagnostics.Process.Start(start)!)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(state) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(10);
            }

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        Assert.True(File.Exists(state), "the killed run left a checkpoint");
        Assert.False(File.Exists(Path.Combine(resumed, "folds", "phantom-b", "model", "model.json")), "the run was killed before the fold finished");
        (exit, stdout, stderr) = Headsup(Args(resumed));
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("resuming its training from the checkpoint", stdout + stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(resumed, "folds", "phantom-b", "checkpoint")), "the checkpoint is removed once the fold's package is written");

        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(whole, "folds", "phantom-b", "model", "model.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(resumed, "folds", "phantom-b", "model", "model.json")))!;
        Assert.Equal(a["weights"]!["sha256"]!.GetValue<string>(), b["weights"]!["sha256"]!.GetValue<string>());
        foreach (var key in new[] { "epochs", "best_epoch" })
        {
            Assert.Equal(a["training"]![key]!.ToJsonString(), b["training"]![key]!.ToJsonString());
        }

        Assert.Equal(a["calibration"]!.ToJsonString(), b["calibration"]!.ToJsonString());
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "folds", "phantom-b", "slice", "predictions.csv")), File.ReadAllText(Path.Combine(resumed, "folds", "phantom-b", "slice", "predictions.csv")));
    }

    [Theory]
    [InlineData("--model", "--protocol trains its own models")]
    [InlineData("--set", "unknown training option 'warmup'")]
    [InlineData("--hold-out", "--hold-out nosuch: no such source")]
    [InlineData("--data", "two sources are both named 'phantom'")]
    [InlineData("--set-without-effect", "--set: display dropout for real inputs only needs display dropout")]
    public void EvaluateLeaveOneSourceOut_BadArguments_ExitTwoNamingTheProblem(string bad, string message)
    {
        using var work = TestData.CreateTempFolder();
        var args = new List<string> { "evaluate", "--protocol", "leave-one-source-out", "--data", _data.Phantom, _data.Phantom + "/", "--out", work.Path, "--train-like", _data.Model };
        args.AddRange(bad switch
        {
            "--model" => ["--model", _data.Model],
            "--set" => ["--set", "warmup=3"],
            "--hold-out" => ["--hold-out", "nosuch"],
            "--set-without-effect" => ["--set", "display_dropout=0", "--set", "display_dropout_real_only=true"],
            _ => [],
        });
        var (exit, _, stderr) = Headsup([.. args]);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Experiments_SmokeRun_PrintsTheTableBesideThePaper()
    {
        using var work = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("experiments", "--data", _data.Phantom, "--sizes", "40", "--recipes", "e1,e4", "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--out", work.Path);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("0.958", stdout, StringComparison.Ordinal); // the paper's E4 AP
        var csv = File.ReadAllLines(Path.Combine(work.Path, "experiments.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("E1,e1,40,", csv[1], StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TrainAndEvaluate_RunOnHeadCtDev()
    {
        var csv = TestData.RequireSharedData("head-ct-dev", "labels.csv");
        using var work = TestData.CreateTempFolder();
        var model = Path.Combine(work.Path, "model");
        var (exit, stdout, stderr) = Headsup("train", "--data", csv, "--arch", "small-cnn", "--size", "64", "--epochs", "1", "--out", model);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("140 labelled samples (70 positive, 70 negative)", stderr, StringComparison.Ordinal);
        var eval = Path.Combine(work.Path, "eval");
        (exit, stdout, stderr) = Headsup("evaluate", "--model", model, "--data", csv, "--out", eval, "--bootstrap", "200");
        Assert.True(exit == 0, stdout + stderr);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(eval, "metrics.json")));
        Assert.Equal(140, metrics.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(70, metrics.RootElement.GetProperty("positives").GetInt32());
    }

    [SkippableFact]
    public void Evaluate_WithoutModel_UsesTheShippedDefaultModel()
    {
        // The default model was trained on head-ct-dev: this checks that the shipped package loads and scores PNGs
        // (and is not a measure of performance; see the README's cross-validated numbers).
        var csv = TestData.RequireSharedData("head-ct-dev", "labels.csv");
        using var work = TestData.CreateTempFolder();
        var (exit, stdout, stderr) = Headsup("evaluate", "--data", csv, "--out", work.Path, "--bootstrap", "200");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("headsup-default", stderr, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(work.Path, "metrics.json")));
        Assert.True(metrics.RootElement.GetProperty("auc").GetDouble() > 0.9);
    }

    /// <summary>A second phantom source, "phantom-b": two studies with subdural bleeds, seed 6.</summary>
    private static string SecondPhantomSource(string folder)
    {
        var second = Path.Combine(folder, "phantom-b");
        var (exit, stdout, stderr) = Headsup("phantom", "--out", second, "--studies", "2", "--seed", "6", "--hemorrhage", "subdural");
        Assert.True(exit == 0, stdout + stderr);
        return second;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }
}

/// <summary>Three phantom studies and a small-cnn package trained on them, made once for the learning tests.</summary>
public sealed class LearningFixture : IDisposable
{
    public const int Studies = 3;

    private readonly TempFolder _folder = TestData.CreateTempFolder();

    public LearningFixture()
    {
        PhantomRoot = Path.Combine(_folder.Path, "phantom");
        Run("phantom", "--out", PhantomRoot, "--studies", Studies.ToString(CultureInfo.InvariantCulture), "--seed", "5");
        Model = Path.Combine(_folder.Path, "model");
        Run("train", "--data", PhantomRoot, "--arch", "small-cnn", "--size", "64", "--epochs", "2", "--val-fraction", "0.34", "--out", Model);
        Slices = File.ReadAllLines(Path.Combine(PhantomRoot, "labels.csv")).Length - 1;
    }

    public string PhantomRoot { get; }

    /// <summary>The phantom folder as a --data source.</summary>
    public string Phantom => PhantomRoot;

    public string Model { get; }

    public int Slices { get; }

    public void Dispose() => _folder.Dispose();

    private static void Run(params string[] args)
    {
        var (exit, stdout, stderr) = HeadsupCliTests.Headsup(args);
        if (exit != 0)
        {
            throw new InvalidOperationException($"headsup {string.Join(' ', args)} failed ({exit}): {stdout}{stderr}");
        }
    }
}
