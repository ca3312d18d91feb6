using Headsup.Models.Packaging;
using Headsup.Models.Tests.Networks;
using Headsup.Testing;
using Headsup.Training;
using Xunit;

namespace Headsup.Models.Tests.Training;

public sealed class FineTuningTests
{
    private static readonly NetworkChoices s_none = new(null, null, null, null, null);

    private static TrainingOptions Options(int epochs) => new()
    {
        Architecture = "small-cnn",
        Size = 64,
        Epochs = epochs,
        Patience = 50,
        BatchSize = 16,
        LearningRate = 3e-3,
        Augmentation = 0.3,
        Seed = 7,
        Threads = 2,
    };

    private static ModelManifest Manifest(string architecture = "small-cnn", string recipe = "e2", int size = 128, int outputs = 6) => new()
    {
        Name = "parent",
        Version = "2.1.0",
        Architecture = architecture,
        Input = new ModelInput { Recipe = recipe, Size = size, Channels = recipe == "gray-brain" ? 1 : 3 },
        Outputs = outputs == 6 ? ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"] : ["any"],
        Calibration = new PlattParameters(),
        Thresholds = new ModelThresholds(),
        Study = new StudyAggregation(),
        Training = new TrainingRecord { ManifestHash = "test" },
        Weights = new WeightsRecord { Sha256 = "abc" },
    };

    [Fact]
    public void Resolve_ParentWithHeadMask_KeepsIt_AndHeadMaskWithoutOneConflicts()
    {
        var masked = Manifest() with { Input = Manifest().Input with { Mask = ModelInput.HeadMask } };

        Assert.True(FineTuning.Resolve(Options(3), s_none, masked).HeadMask);
        Assert.False(FineTuning.Resolve(Options(3), s_none, Manifest()).HeadMask);
        var ex = Assert.Throws<ArgumentException>(() => FineTuning.Resolve(Options(3) with { HeadMask = true }, s_none, Manifest()));
        Assert.Contains("--head-mask", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ParentWithDisplayBone_KeepsItsMode_AndAnotherModeConflicts()
    {
        var parent = Manifest(recipe: "brain-plus") with { Input = Manifest(recipe: "brain-plus").Input with { DisplayBone = ModelInput.SaturatedSkullBone } };

        Assert.Equal(Headsup.Inputs.DisplayBoneMode.SaturatedSkull, FineTuning.Resolve(Options(3), s_none, parent).DisplayBone);
        Assert.Equal(Headsup.Inputs.DisplayBoneMode.Off, FineTuning.Resolve(Options(3), s_none, Manifest(recipe: "brain-plus")).DisplayBone);
        var ex = Assert.Throws<ArgumentException>(() => FineTuning.Resolve(Options(3) with { DisplayBone = Headsup.Inputs.DisplayBoneMode.Skull }, s_none, parent));
        Assert.Contains("display bone skull", ex.Message, StringComparison.Ordinal);
        Assert.Contains("saturated-skull", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FineTuning.Resolve(Options(3) with { DisplayBone = Headsup.Inputs.DisplayBoneMode.Skull }, s_none, Manifest(recipe: "brain-plus")));
    }

    [Fact]
    public void Resolve_ParentWithTestTimeFlip_KeepsIt_UnlessAskedOtherwise_AndNoneDropsIt()
    {
        var flipped = Manifest() with { TestTimeAugmentation = TestTimeAugmentations.HorizontalFlipName };
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, FineTuning.Resolve(Options(3), s_none, flipped).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.None, FineTuning.Resolve(Options(3), s_none, Manifest()).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, FineTuning.Resolve(Options(3), s_none with { TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip }, Manifest()).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.None, FineTuning.Resolve(Options(3), s_none with { TestTimeAugmentation = TestTimeAugmentation.None }, flipped).TestTimeAugmentation);
        // Without a parent: the given choice, else the default.
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, FineTuning.Resolve(Options(3), s_none with { TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip }, null).TestTimeAugmentation);
        Assert.Equal(TestTimeAugmentation.None, FineTuning.Resolve(Options(3), s_none, null).TestTimeAugmentation);
    }

    [Fact]
    public void Resolve_NoParent_GivenChoicesElseDefaults()
    {
        var options = FineTuning.Resolve(Options(3), new NetworkChoices("e1", null, 96, null, false), null);
        Assert.Equal("e1", options.Recipe);
        Assert.Equal("small-cnn", options.Architecture);
        Assert.Equal(96, options.Size);
        Assert.Equal(3e-3, options.LearningRate);
        Assert.False(options.MultiLabel);
        Assert.Equal(3, options.Epochs);
    }

    [Fact]
    public void Resolve_Parent_TakesItsNetworkInputAndHeads_AndTheFineTuningRate()
    {
        var options = FineTuning.Resolve(Options(3) with { Architecture = "resnet18-imagenet", MultiLabel = false }, s_none, Manifest());
        Assert.Equal("e2", options.Recipe);
        Assert.Equal("small-cnn", options.Architecture);
        Assert.Equal(128, options.Size);
        Assert.Equal(FineTuning.DefaultLearningRate, options.LearningRate);
        Assert.Equal(1e-4, FineTuning.DefaultLearningRate);
        Assert.True(options.MultiLabel);
        Assert.Equal(3, options.Epochs);

        var given = FineTuning.Resolve(Options(3), new NetworkChoices("e2", "small-cnn", 128, 5e-5, null), Manifest(outputs: 1));
        Assert.Equal(5e-5, given.LearningRate);
        Assert.False(given.MultiLabel);
        Assert.False(FineTuning.Resolve(Options(3), new NetworkChoices(null, null, null, null, false), Manifest(outputs: 1)).MultiLabel);
    }

    [Fact]
    public void Resolve_ChoicesConflictingWithTheParent_ThrowNamingEach()
    {
        var ex = Assert.Throws<ArgumentException>(() => FineTuning.Resolve(Options(3), new NetworkChoices("e1", "resnet18", 224, null, false), Manifest()));
        Assert.Contains("--recipe e1 (the package takes e2)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--arch resnet18 (the package is small-cnn)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--size 224 (the package takes 128)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--no-subtypes", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("fine-tuning parent 2.1.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_KeepsTheParentsLineage()
    {
        var grandparent = new ParentModelRecord { Name = "headsup-default", Version = "1.0.0", WeightsSha256 = "111" };
        var parent = Manifest() with { Training = new TrainingRecord { ManifestHash = "x", Parent = grandparent } };
        var record = FineTuning.Record(parent);
        Assert.Equal(new ParentModelRecord { Name = "parent", Version = "2.1.0", WeightsSha256 = "abc", Parent = grandparent }, record);
        Assert.Equal("parent-finetuned", FineTuning.DefaultName(parent));
    }

    [Fact]
    public void Train_FromAParentPackage_StartsFromItsWeightsAndKeepsItsSubtypeHeads()
    {
        TorchTestSetup.Seed(1);
        var train = SyntheticData.Make(48, 64, seed: 1);
        var validation = SyntheticData.Make(16, 64, seed: 2);
        var trained = new Trainer(Options(2)).Train(train, validation);
        using var folder = TestData.CreateTempFolder();
        var location = Path.Combine(folder.Path, "parent");
        using (var network = trained.Network)
        {
            ModelPackage.Save(location, Manifest(recipe: "gray-brain", size: 64) with { Outputs = trained.Outputs }, network, precision: WeightsPrecision.Float32);
        }

        using var parent = ModelPackage.Load(location);
        using (var copy = FineTuning.CopyNetwork(parent))
        {
            var source = parent.Network.state_dict();
            Assert.All(copy.state_dict(), p => Assert.True(p.Value.eq(source[p.Key]).all().item<bool>(), p.Key));
        }

        // Site data without subtype labels, and a learning rate too small to move the weights: the run starts from the
        // parent's parameters (batch-norm statistics follow the new batches, as in any training) and keeps its six outputs.
        var anyOnly = new InputCache(train.Spec);
        foreach (var item in train.Items)
        {
            anyOnly.Add(item with { Subtypes = new int?[5] });
        }

        var options = FineTuning.Resolve(Options(1), s_none with { LearningRate = 1e-9 }, parent.Manifest);
        var outcome = new Trainer(options, parent).Train(anyOnly, validation);
        using var child = outcome.Network;
        Assert.Equal(trained.Outputs, outcome.Outputs);
        var start = parent.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.All(child.named_parameters(), p =>
        {
            float moved = (p.parameter - start[p.name]).abs().max().item<float>();
            Assert.True(moved < 1e-6f, $"{p.name} moved {moved}");
        });

        // A run from scratch at that rate ends elsewhere.
        var scratch = new Trainer(options).Train(anyOnly, validation);
        using var fresh = scratch.Network;
        Assert.Contains(fresh.named_parameters(), p => (p.parameter - start[p.name]).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void Finish_ValidationTooSmallToRefit_KeepsTheParentsCalibrationAndOperatingPoint_AndRecordsIt()
    {
        TorchTestSetup.Seed(2);
        var train = SyntheticData.Make(32, 64, seed: 5);
        var validation = SyntheticData.Make(6, 64, seed: 6, positiveFraction: 0);
        using var folder = TestData.CreateTempFolder();
        var location = Path.Combine(folder.Path, "parent");
        var manifest = Manifest(recipe: "gray-brain", size: 64) with
        {
            Calibration = new PlattParameters { A = 0.7, B = 0.2, FittedOn = "validation, 200 samples" },
            Thresholds = new ModelThresholds { OperatingPoint = 0.33, OperatingPointRule = "sensitivity 0.9" },
            Study = new StudyAggregation { Method = "top-k-mean", K = 5, Threshold = 0.4, Calibration = new PlattParameters { A = 2, FittedOn = "parent studies" } },
        };
        using (var network = Headsup.Models.Networks.NetworkFactory.Create("small-cnn", 1, 6, pretrained: false))
        {
            ModelPackage.Save(location, manifest, network);
        }

        using var parent = ModelPackage.Load(location);
        var options = FineTuning.Resolve(Options(1), s_none, parent.Manifest);
        var request = new TrainingRequest { Samples = [], Options = options, Parent = parent, ModelName = "child" };
        var outcome = new Trainer(options, parent).Train(train, validation);
        var result = TrainingRun.Finish(request, options, train.Items.Select(i => i.Sample).ToList(), validation.Items.Select(i => i.Sample).ToList(), train, validation, outcome, [], new SilentObserver());
        using var child = result.Outcome.Network;
        var m = result.Manifest;
        Assert.Equal((0.7, 0.2), (m.Calibration.A, m.Calibration.B));
        Assert.StartsWith("kept from the parent parent 2.1.0 (validation, 200 samples)", m.Calibration.FittedOn, StringComparison.Ordinal);
        Assert.Equal(0.33, m.Thresholds.OperatingPoint);
        Assert.Contains("kept from the parent", m.Thresholds.OperatingPointRule, StringComparison.Ordinal);
        Assert.Equal(5, m.Study.K);
        Assert.Equal(1, m.Study.Calibration.A); // the parent's study calibration belongs to its weights
        Assert.Equal(new ParentModelRecord { Name = "parent", Version = "2.1.0", WeightsSha256 = parent.Manifest.Weights.Sha256 }, m.Training.Parent);
        Assert.Equal("0.0001", m.Training.Options["learning_rate"]);
    }

    [Fact]
    public void Train_ParentOfAnotherArchitecture_IsRefused()
    {
        var train = SyntheticData.Make(16, 64, seed: 3);
        var validation = SyntheticData.Make(8, 64, seed: 4);
        using var folder = TestData.CreateTempFolder();
        var location = Path.Combine(folder.Path, "parent");
        using (var network = Headsup.Models.Networks.NetworkFactory.Create("small-cnn", 1, 1, pretrained: false))
        {
            ModelPackage.Save(location, Manifest(recipe: "gray-brain", size: 64, outputs: 1), network);
        }

        using var parent = ModelPackage.Load(location);
        var ex = Assert.Throws<ModelException>(() => new Trainer(Options(1) with { Architecture = "resnet18" }, parent).Train(train, validation));
        Assert.Contains("cannot fine-tune", ex.Message, StringComparison.Ordinal);
    }

    private sealed class SilentObserver : ITrainingObserver
    {
        public void Stage(string name, int total)
        {
        }

        public void Advance(int done)
        {
        }

        public void Training(TrainingProgress progress)
        {
        }

        public void Problem(SampleProblem problem)
        {
        }
    }
}
