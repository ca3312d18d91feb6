using System.Text.Json.Nodes;
using Headsup.Inputs;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Models.Tests.Networks;
using Headsup.Testing;
using Xunit;
using static TorchSharp.torch;

namespace Headsup.Models.Tests.Packaging;

public sealed class ModelPackageTests
{
    private static ModelManifest Manifest(string architecture, int outputs) => new()
    {
        Name = "test-model",
        Version = "0.0.1",
        Architecture = architecture,
        Input = new ModelInput { Recipe = "gray-brain", Size = 64, Channels = 1 },
        Outputs = outputs == 1 ? ["any"] : ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
        Calibration = new PlattParameters { A = 0.8, B = -0.2, FittedOn = "test" },
        Thresholds = new ModelThresholds { OperatingPoint = 0.3, OperatingPointRule = "test" },
        Study = new StudyAggregation(),
        Training = new TrainingRecord { ManifestHash = "abc" },
        Weights = new WeightsRecord { Sha256 = "pending" },
    };

    [Theory]
    [InlineData(null, false)]
    [InlineData("head", true)]
    public void InputSpecOf_Mask_AbsentIsNoneAndHeadIsTheHeadMask(string? mask, bool expected)
    {
        var manifest = Manifest("small-cnn", 1);
        manifest = manifest with { Input = manifest.Input with { Mask = mask } };

        Assert.Equal(expected, ModelPackage.InputSpecOf(manifest, "test").HeadMask);
    }

    [Fact]
    public void InputSpecOf_UnknownMask_ThrowsNamingIt()
    {
        var manifest = Manifest("small-cnn", 1);
        manifest = manifest with { Input = manifest.Input with { Mask = "brain" } };

        var ex = Assert.Throws<ModelException>(() => ModelPackage.InputSpecOf(manifest, "test"));
        Assert.Contains("mask 'brain'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InputSpecOf_DisplayBone_SkullOnBrainPlus_RefusedElsewhereAndWhenUnknown()
    {
        var manifest = Manifest("small-cnn", 1);
        Assert.False(ModelPackage.InputSpecOf(manifest, "test").DisplayBone);
        var plus = manifest with { Input = new ModelInput { Recipe = "brain-plus", Size = 64, Channels = 3, DisplayBone = "skull" } };
        Assert.Equal(DisplayBoneMode.Skull, ModelPackage.InputSpecOf(plus, "test").DisplayBoneMode);
        var saturated = plus with { Input = plus.Input with { DisplayBone = "saturated-skull" } };
        Assert.Equal(DisplayBoneMode.SaturatedSkull, ModelPackage.InputSpecOf(saturated, "test").DisplayBoneMode);

        var gray = manifest with { Input = manifest.Input with { DisplayBone = "skull" } };
        Assert.Contains("brain-plus", Assert.Throws<ModelException>(() => ModelPackage.InputSpecOf(gray, "test")).Message, StringComparison.Ordinal);
        var unknown = plus with { Input = plus.Input with { DisplayBone = "all-white" } };
        Assert.Contains("display_bone 'all-white'", Assert.Throws<ModelException>(() => ModelPackage.InputSpecOf(unknown, "test")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialise_NoMask_LeavesMaskOutOfModelJson()
    {
        var manifest = Manifest("small-cnn", 1);

        Assert.DoesNotContain("\"mask\"", System.Text.Json.JsonSerializer.Serialize(manifest), StringComparison.Ordinal);
        Assert.Contains("\"mask\":\"head\"", System.Text.Json.JsonSerializer.Serialize(manifest with { Input = manifest.Input with { Mask = "head" } }), StringComparison.Ordinal);
    }

    [Fact]
    public void TestTimeAugmentation_AbsentIsNone_HorizontalFlipRoundTrips_UnknownIsRefusedNamingIt()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var plain = Path.Combine(folder.Path, "plain");
        ModelPackage.Save(plain, Manifest("small-cnn", 1), network);
        Assert.DoesNotContain("test_time_augmentation", File.ReadAllText(Path.Combine(plain, "model.json")), StringComparison.Ordinal);
        using (var package = ModelPackage.Load(plain))
        {
            Assert.Equal(TestTimeAugmentation.None, package.TestTimeAugmentation);
        }

        var flip = Path.Combine(folder.Path, "flip");
        ModelPackage.Save(flip, Manifest("small-cnn", 1) with { TestTimeAugmentation = TestTimeAugmentations.NameOf(TestTimeAugmentation.HorizontalFlip) }, network);
        Assert.Equal("horizontal-flip", (string?)JsonNode.Parse(File.ReadAllText(Path.Combine(flip, "model.json")))!["test_time_augmentation"]);
        using (var package = ModelPackage.Load(flip))
        {
            Assert.Equal(TestTimeAugmentation.HorizontalFlip, package.TestTimeAugmentation);
        }

        // The field is not covered by the weights hash: an edited value is checked when the manifest is read.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(flip, "model.json")))!;
        json["test_time_augmentation"] = "rotate-90";
        File.WriteAllText(Path.Combine(flip, "model.json"), json.ToJsonString());
        var ex = Assert.Throws<ModelException>(() => ModelPackage.Load(flip));
        Assert.Contains("test_time_augmentation 'rotate-90'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.json", ex.Message + ex.Path, StringComparison.Ordinal);
        Assert.Throws<ModelException>(() => ModelPackage.ReadManifest(flip));
    }

    private static float[] Logits(ClassifierNetwork network, Tensor x)
    {
        using var _ = no_grad();
        network.eval();
        using var y = network.forward(x);
        return y.data<float>().ToArray();
    }

    [Theory]
    [InlineData(WeightsPrecision.Float32, 0.0)]
    [InlineData(WeightsPrecision.Float16, 1e-2)]
    [InlineData(WeightsPrecision.Int8Blocks, 5e-2)]
    public void SaveLoad_RoundTripsTheNetwork_WithinThePrecision(WeightsPrecision precision, double tolerance)
    {
        TorchTestSetup.Seed(3);
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 6, pretrained: false);
        using var x = rand(2, 1, 64, 64);
        var before = Logits(network, x);
        var dir = Path.Combine(folder.Path, "model");
        var written = ModelPackage.Save(dir, Manifest("small-cnn", 6), network, precision: precision);
        using var package = ModelPackage.Load(dir);
        var after = Logits(package.Network, x);
        double scale = before.Max(Math.Abs) + 1;
        Assert.All(before.Zip(after), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, tolerance * scale));
        Assert.Equal(written.Weights.Sha256, WeightsFile.Sha256(Path.Combine(dir, "weights.bin")));
        Assert.Equal(0.8, package.Manifest.Calibration.A);
        Assert.True(package.Manifest.NotForClinicalUse);

        // Rounding in memory first gives exactly what the package holds.
        WeightsFile.RoundTrip(network, precision);
        Assert.Equal(after, Logits(network, x));
    }

    [Fact]
    public void Int8_IsAboutAQuarterOfFloat32()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("resnet18", 1, 1, pretrained: false);
        long f32 = new FileInfo(Path.Combine(folder.Path, "a")).Exists ? 0 : Size(WeightsPrecision.Float32);
        long i8 = Size(WeightsPrecision.Int8Blocks);
        Assert.InRange((double)i8 / f32, 0.25, 0.36);

        long Size(WeightsPrecision p)
        {
            var path = Path.Combine(folder.Path, p + ".bin");
            WeightsFile.Save(network, path, p);
            return new FileInfo(path).Length;
        }
    }

    [Fact]
    public void Load_TamperedWeights_FailsOnTheHash()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var dir = Path.Combine(folder.Path, "model");
        ModelPackage.Save(dir, Manifest("small-cnn", 1), network);
        var weights = Path.Combine(dir, "weights.bin");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x55;
        File.WriteAllBytes(weights, bytes);
        var ex = Assert.Throws<ModelException>(() => ModelPackage.Load(dir));
        Assert.Contains("sha256", ex.Message, StringComparison.Ordinal);
        Assert.Equal(dir, ex.Path);
    }

    [Fact]
    public void Derive_CopiesAndChangesInAFolderRenamedIntoPlace_AndLeavesNothingWhenTheChangeFails()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var source = Path.Combine(folder.Path, "model");
        ModelPackage.Save(source, Manifest("small-cnn", 1), network);

        var derived = Path.Combine(folder.Path, "derived");
        ModelPackage.Derive(source, derived, copy => File.WriteAllText(Path.Combine(copy, "extra.json"), "{}"));
        Assert.Equal(
            Directory.GetFiles(source).Select(Path.GetFileName).Append("extra.json").Order(StringComparer.Ordinal),
            Directory.GetFiles(derived).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using (var loaded = ModelPackage.Load(derived))
        {
            Assert.Equal(ModelPackage.ReadManifest(source).Weights.Sha256, loaded.Manifest.Weights.Sha256);
        }

        // A change that fails leaves neither the package nor its temporary folder; a non-empty target is refused.
        var failed = Path.Combine(folder.Path, "failed");
        Assert.Throws<IOException>(() => ModelPackage.Derive(source, failed, _ => throw new IOException("disk full")));
        Assert.False(Directory.Exists(failed));
        Assert.DoesNotContain(Directory.GetDirectories(folder.Path), d => Path.GetFileName(d).Contains(".tmp-", StringComparison.Ordinal));
        Assert.Throws<ModelException>(() => ModelPackage.Derive(source, derived, _ => { }));
        Assert.Throws<ModelException>(() => ModelPackage.Derive(source, source, _ => { }));
    }

    [Fact]
    public void Derive_IntoAnotherFolder_KeepsTheTrainingManifestResolvingToTheSameFiles()
    {
        // A package trained under work/out/trained whose training data lies beside it (../phantom), above it (../../../data)
        // and at an absolute path, derived into work/models/default (as calibrate-study does): the copy's manifest must
        // still load (its content hash checked) and name the same, existing files.
        using var folder = TestData.CreateTempFolder();
        string Touch(string relative, string text)
        {
            var path = Path.Combine(folder.Path, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        var files = new[] { Touch("data/a.dcm", "a"), Touch("work/out/phantom/b.dcm", "b"), Touch("elsewhere/c.dcm", "c") };
        var samples = files.Select((f, i) => new Headsup.Datasets.LabeledSample
        {
            File = f,
            RelativeFile = Path.GetFileName(f),
            Format = ImageFormat.Dicom,
            Any = i % 2,
            Subtypes = [null, null, null, null, null],
            PatientId = "p" + i,
            Source = "s",
            Split = "train",
        }).ToList();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var trained = Path.Combine(folder.Path, "work", "out", "trained");
        ModelPackage.Save(trained, Manifest("small-cnn", 1), network);
        var manifest = Headsup.Datasets.DatasetManifest.Create(samples);
        manifest.Save(Path.Combine(trained, ModelPackage.TrainingManifestFile));

        // Save writes every entry relative; make the third absolute, as a manifest naming a file on another volume has it.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(trained, ModelPackage.TrainingManifestFile)))!;
        var written = json["entries"]!.AsArray().Select(e => (string)e!["file"]!).ToList();
        Assert.Contains("../phantom/b.dcm", written);
        Assert.Contains("../../../data/a.dcm", written);
        var c = json["entries"]!.AsArray().Single(e => ((string)e!["file"]!).EndsWith("c.dcm", StringComparison.Ordinal))!;
        c["file"] = files[2];
        File.WriteAllText(Path.Combine(trained, ModelPackage.TrainingManifestFile), json.ToJsonString());

        var derived = Path.Combine(folder.Path, "work", "models", "default");
        ModelPackage.Derive(trained, derived, _ => { });
        var copy = JsonNode.Parse(File.ReadAllText(Path.Combine(derived, ModelPackage.TrainingManifestFile)))!;
        var rebased = copy["entries"]!.AsArray().Select(e => (string)e!["file"]!).ToList();
        Assert.Contains("../../out/phantom/b.dcm", rebased);
        Assert.Contains("../../../data/a.dcm", rebased);
        Assert.Contains(files[2], rebased);
        var loaded = Headsup.Datasets.DatasetManifest.Load(Path.Combine(derived, ModelPackage.TrainingManifestFile));
        Assert.Equal(files.Order(StringComparer.Ordinal), loaded.Entries.Select(e => e.File).Order(StringComparer.Ordinal));
        Assert.Equal(manifest.ContentHash, loaded.ContentHash);
    }

    [Fact]
    public void Load_PackageOfAnotherFormatVersion_SaysSo()
    {
        var ex = LoadEdited("format_version", 99);
        Assert.Contains("format version 99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WeightsOfAnotherArchitecture_NamesTheTensor()
    {
        var ex = LoadEdited("architecture", "resnet18");
        Assert.Contains("tensor", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Saves a small-cnn package, sets one model.json field, and returns the error loading it gives.</summary>
    private static ModelException LoadEdited(string field, JsonNode value)
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var dir = Path.Combine(folder.Path, "model");
        ModelPackage.Save(dir, Manifest("small-cnn", 1), network);
        var path = Path.Combine(dir, "model.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json[field] = value;
        File.WriteAllText(path, json.ToJsonString());
        return Assert.Throws<ModelException>(() => ModelPackage.Load(dir));
    }

    [Fact]
    public void Load_TruncatedWeights_IsATypedError()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var path = Path.Combine(folder.Path, "w.bin");
        WeightsFile.Save(network, path, WeightsPrecision.Float16);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<ModelException>(() => WeightsFile.Load(network, path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_Failure_LeavesTheOldPackageAndNoPartialFolder()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var dir = Path.Combine(folder.Path, "model");
        var first = ModelPackage.Save(dir, Manifest("small-cnn", 1), network);
        Assert.ThrowsAny<IOException>(() => ModelPackage.Save(dir, Manifest("small-cnn", 1) with { Version = "2" }, network, new Dictionary<string, string> { ["extra.txt"] = Path.Combine(folder.Path, "missing.txt") }));
        Assert.Equal(first.Version, ModelPackage.ReadManifest(dir).Version);
        Assert.Equal(["model"], Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Zip_LoadsLikeTheFolder()
    {
        using var folder = TestData.CreateTempFolder();
        using var network = NetworkFactory.Create("small-cnn", 1, 1, pretrained: false);
        var dir = Path.Combine(folder.Path, "model");
        ModelPackage.Save(dir, Manifest("small-cnn", 1), network);
        var zip = Path.Combine(folder.Path, "model.zip");
        ModelPackage.Zip(dir, zip);
        using var x = rand(1, 1, 64, 64);
        using var a = ModelPackage.Load(dir);
        using var b = ModelPackage.Load(zip);
        Assert.Equal(Logits(a.Network, x), Logits(b.Network, x));
    }
}
