using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Phantom;
using Headsup.Testing;
using Xunit;

namespace Headsup.Triage.Tests;

/// <summary>
/// Two generated phantom studies (256², 14 slices, masks written) and a package holding an untrained small-cnn with
/// subtype outputs: enough to run every step of the triage quickly. What the scores mean is not tested here.
/// </summary>
public sealed class TriageFixture : IDisposable
{
    private readonly TempFolder _folder = TestData.CreateTempFolder();

    public TriageFixture()
    {
        PhantomRoot = Path.Combine(_folder.Path, "phantom");
        var generator = new PhantomGenerator(PhantomPresets.TriagePair);
        Summary = generator.Generate(PhantomRoot);
        ModelPath = Path.Combine(_folder.Path, "model");
        TorchSharp.torch.manual_seed(7);
        using var network = NetworkFactory.Create("small-cnn", 1, 6, pretrained: false);
        ModelPackage.Save(ModelPath, new ModelManifest
        {
            Name = "triage-test",
            Version = "0.0.1",
            Architecture = "small-cnn",
            Input = new ModelInput { Recipe = "gray-brain", Size = 64, Channels = 1 },
            Outputs = ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
            Calibration = new PlattParameters { A = 1, B = 0, FittedOn = "test" },
            Thresholds = new ModelThresholds { OperatingPoint = 0.5, OperatingPointRule = "test" },
            Study = new StudyAggregation { Threshold = 0.5 },
            Training = new TrainingRecord { ManifestHash = "test" },
            Weights = new WeightsRecord { Sha256 = "pending" },
        }, network);
        Triager = StudyTriager.Load(ModelPath);
    }

    public string PhantomRoot { get; }

    public string DicomRoot => Path.Combine(PhantomRoot, PhantomGenerator.DicomFolder);

    public PhantomSummary Summary { get; }

    public string ModelPath { get; }

    public StudyTriager Triager { get; }

    public void Dispose()
    {
        Triager.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition("triage")]
public sealed class TriageCollection : ICollectionFixture<TriageFixture>
{
}
