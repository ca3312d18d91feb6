using Headsup.Datasets;
using Headsup.Evaluation.Calibration;
using Headsup.Inputs;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Series;
using Headsup.Series.Selection;
using Headsup.Series.Sources;
using Headsup.Testing;
using Headsup.Training;
using Headsup.Triage;
using Xunit;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// Training, evaluation, detect and explain must feed the network the same input for the same slice, to the bit: the
/// training cache (bytes → floats in the tensor), the detect scorer (series read with neighbours) and explain (a single
/// file) are compared on every slice of a phantom run.
/// </summary>
public sealed class InputParityTests : IClassFixture<SmallSubduralPhantomFixture>
{
    private readonly SmallSubduralPhantomFixture _phantom;

    public InputParityTests(SmallSubduralPhantomFixture phantom) => _phantom = phantom;

    [Theory]
    [InlineData("gray-brain", false)]
    [InlineData("context", false)]
    [InlineData("e2", false)]
    [InlineData("gray-brain", true)]
    [InlineData("context", true)]
    [InlineData("brain-plus", false)]
    [InlineData("brain-plus", true)]
    public void Inputs_SameSliceThroughTrainingDetectAndExplain_AreBitIdentical(string recipe, bool headMask)
    {
        using var folder = TestData.CreateTempFolder();
        var spec = new InputSpec(recipe, 48) { HeadMask = headMask };
        var modelPath = Path.Combine(folder.Path, "model");
        SaveSmallCnn(modelPath, new ModelInput { Recipe = recipe, Size = spec.Size, Channels = spec.Channels, Mask = headMask ? ModelInput.HeadMask : null }, seed: 3);

        // Training and evaluation: the input cache, as the network receives it (a float tensor made from the bytes).
        var samples = DatasetLoader.Load(_phantom.Folder.Path).Samples;
        var problems = new List<SampleProblem>();
        var cache = InputCache.Build(samples, spec, problems);
        Assert.Empty(problems);
        var training = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < cache.Count; i++)
        {
            using var tensor = cache.Inputs([i]);
            training[Path.GetFullPath(cache.Items[i].Sample.File)] = tensor.data<float>().ToArray();
        }

        // Detect: each study's selected series, read slice by slice with the neighbours the recipe needs.
        using var package = ModelPackage.Load(modelPath);
        Assert.Equal(spec, package.InputSpec);
        using var scorer = new SeriesScorer(package);
        int compared = 0;
        foreach (var study in StudyScanner.Scan(_phantom.DicomFolder).Studies)
        {
            var series = new SeriesSelector().Select(study).Selected!;
            for (int i = 0; i < series.Slices.Count; i++)
            {
                var stack = scorer.Read(series, i, j => SeriesScorer.Load(series.Slices[j], j).Image);
                var detect = scorer.Prepare(stack).Input.Values;
                var file = Path.GetFullPath(((FileDicomSource)series.Slices[i].Instance.Source).FilePath);
                Assert.True(BitwiseEqual(training[file], detect), $"{recipe}: training and detect inputs differ for {Path.GetFileName(file)}");

                // Explain (`headsup explain <file>`): one file alone, so only recipes without neighbours can match.
                if (!spec.NeedsNeighbours)
                {
                    var alone = scorer.Prepare(new SliceStack(SliceImageLoader.Load(file))).Input.Values;
                    Assert.True(BitwiseEqual(training[file], alone), $"{recipe}: training and explain inputs differ for {Path.GetFileName(file)}");
                }

                compared++;
            }
        }

        Assert.Equal(samples.Count, compared);
    }

    [Fact]
    public void HorizontalFlipPackage_EvaluateAndDetectScore_TheMeanOverTheSliceAndItsMirrorImage()
    {
        // A package whose model.json says test_time_augmentation: horizontal-flip. Reference: the plain network on the
        // training cache's input and on that input mirrored by index arithmetic, logits averaged (Platt a = 1, b = 0).
        using var folder = TestData.CreateTempFolder();
        var spec = new InputSpec("brain-plus", 64);
        var modelPath = Path.Combine(folder.Path, "model");
        SaveSmallCnn(modelPath, new ModelInput { Recipe = "brain-plus", Size = spec.Size, Channels = spec.Channels }, seed: 4, TestTimeAugmentations.HorizontalFlipName);

        using var package = ModelPackage.Load(modelPath);
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, package.TestTimeAugmentation);
        var samples = DatasetLoader.Load(_phantom.Folder.Path).Samples;
        var cache = InputCache.Build(samples, spec, new List<SampleProblem>());
        var expected = new Dictionary<string, double>(StringComparer.Ordinal);
        var plainProbability = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < cache.Count; i++)
        {
            using var tensor = cache.Inputs([i]);
            var input = tensor.data<float>().ToArray();
            int size = spec.Size;
            var mirrored = Inference.TestTimeAugmentationTests.Mirrored(input, size);
            double plain = Predictor.Logits(package.Network, input, 1, spec.Channels, size)[0][0];
            double mirror = Predictor.Logits(package.Network, mirrored, 1, spec.Channels, size)[0][0];
            plainProbability[Path.GetFullPath(cache.Items[i].Sample.File)] = PlattScaling.Sigmoid(plain);
            expected[Path.GetFullPath(cache.Items[i].Sample.File)] = PlattScaling.Sigmoid((plain + mirror) / 2);
        }

        // Evaluate (and the protocol, and calibration at training): the cache path.
        var evaluated = Headsup.Training.Evaluation.ModelEvaluator.ScoreSlices(package, samples, new List<SampleProblem>());
        Assert.Equal(expected.Count, evaluated.Count);
        Assert.All(evaluated, r => Assert.Equal(expected[Path.GetFullPath(r.Id)], r.Probability, 5));
        Assert.Contains(evaluated, r => Math.Abs(r.Probability - plainProbability[Path.GetFullPath(r.Id)]) > 1e-4);

        // Detect (and the service): the series scorer, in float32.
        using var scorer = new SeriesScorer(package, InferencePrecision.Float32);
        int compared = 0;
        foreach (var study in StudyScanner.Scan(_phantom.DicomFolder).Studies)
        {
            var scored = scorer.Score(new SeriesSelector().Select(study).Selected!, 4);
            foreach (var slice in scored.Slices)
            {
                Assert.Equal(expected[Path.GetFullPath(slice.File)], slice.Probability, 5);
                compared++;
            }
        }

        Assert.Equal(samples.Count, compared);
    }

    /// <summary>A randomly initialised one-output small-cnn package (float32 weights, Platt a = 1, b = 0) for <paramref name="input"/>.</summary>
    private static void SaveSmallCnn(string path, ModelInput input, int seed, string? testTimeAugmentation = null)
    {
        TorchSharp.torch.manual_seed(seed);
        using var network = NetworkFactory.Create("small-cnn", input.Channels, 1, pretrained: false);
        ModelPackage.Save(path, new ModelManifest
        {
            Name = "parity",
            Version = "0",
            Architecture = "small-cnn",
            TestTimeAugmentation = testTimeAugmentation,
            Input = input,
            Outputs = ["any"],
            Calibration = new PlattParameters { A = 1, B = 0, FittedOn = "test" },
            Thresholds = new ModelThresholds { OperatingPoint = 0.5, OperatingPointRule = "test" },
            Study = new StudyAggregation { Threshold = 0.5 },
            Training = new TrainingRecord { ManifestHash = "test" },
            Weights = new WeightsRecord { Sha256 = "pending" },
        }, network, precision: WeightsPrecision.Float32);
    }

    private static bool BitwiseEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
}
