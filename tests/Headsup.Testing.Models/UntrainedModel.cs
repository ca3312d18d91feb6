using Headsup.Models.Networks;
using Headsup.Models.Packaging;

namespace Headsup.Testing.Models;

/// <summary>
/// A model package holding an untrained small-cnn (gray-brain input at 64 px, "any" and the five subtype outputs,
/// identity slice calibration, operating point and study threshold 0.5): enough to run load, score, explain and
/// triage quickly. What its scores mean is never tested.
/// </summary>
public static class UntrainedModel
{
    /// <summary>Writes the package to <paramref name="folder"/> with weights drawn from <paramref name="seed"/> (and a study calibration when given); returns the folder.</summary>
    public static string Save(string folder, string name, int seed, PlattParameters? studyCalibration = null, string version = "0.0.1")
    {
        TorchSharp.torch.manual_seed(seed);
        using var network = NetworkFactory.Create("small-cnn", 1, 6, pretrained: false);
        ModelPackage.Save(folder, new ModelManifest
        {
            Name = name,
            Version = version,
            Architecture = "small-cnn",
            Input = new ModelInput { Recipe = "gray-brain", Size = 64, Channels = 1 },
            Outputs = ["any", "epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"],
            Calibration = new PlattParameters { A = 1, B = 0, FittedOn = "test" },
            Thresholds = new ModelThresholds { OperatingPoint = 0.5, OperatingPointRule = "test" },
            Study = studyCalibration is null ? new StudyAggregation { Threshold = 0.5 } : new StudyAggregation { Threshold = 0.5, Calibration = studyCalibration },
            Training = new TrainingRecord { ManifestHash = "test" },
            Weights = new WeightsRecord { Sha256 = "pending" },
        }, network);
        return folder;
    }
}
