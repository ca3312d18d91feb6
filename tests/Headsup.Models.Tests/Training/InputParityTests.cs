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
        TorchSharp.torch.manual_seed(3);
        using (var network = NetworkFactory.Create("small-cnn", spec.Channels, 1, pretrained: false))
        {
            ModelPackage.Save(modelPath, new ModelManifest
            {
                Name = "parity",
                Version = "0",
                Architecture = "small-cnn",
                Input = new ModelInput { Recipe = recipe, Size = spec.Size, Channels = spec.Channels, Mask = headMask ? ModelInput.HeadMask : null },
                Outputs = ["any"],
                Calibration = new PlattParameters { A = 1, B = 0, FittedOn = "test" },
                Thresholds = new ModelThresholds { OperatingPoint = 0.5, OperatingPointRule = "test" },
                Study = new StudyAggregation { Threshold = 0.5 },
                Training = new TrainingRecord { ManifestHash = "test" },
                Weights = new WeightsRecord { Sha256 = "pending" },
            }, network, precision: WeightsPrecision.Float32);
        }

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

    private static bool BitwiseEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));
}
