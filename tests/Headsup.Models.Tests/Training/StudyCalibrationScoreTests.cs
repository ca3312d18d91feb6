using Headsup.Inputs;
using Headsup.Triage;
using Headsup.Training.Evaluation;
using Headsup.Datasets;
using Headsup.Evaluation.Calibration;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Phantom;
using Headsup.Testing;
using Headsup.Testing.Models;
using Xunit;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// <see cref="StudyCalibration.Score"/> on generated phantom studies with an untrained package whose study calibration
/// is not the identity: one row per labelled study, the phantom's study label, the raw top-3 mean of the counted slices
/// (before the study calibration) and the probability detect reports.
/// </summary>
public sealed class StudyCalibrationScoreTests(StudyCalibrationScoreTests.Fixture fixture) : IClassFixture<StudyCalibrationScoreTests.Fixture>
{
    [Fact]
    public void Score_LabelledPhantomStudies_OneRowPerStudyAsDetectScoresIt()
    {
        var samples = DatasetLoader.Load(fixture.PhantomRoot).Samples;
        var rows = StudyCalibration.Score(fixture.Triager, samples, TriageOptions.Default);
        Assert.Equal(fixture.Summary.Studies.Select(s => s.StudyInstanceUid).Order(StringComparer.Ordinal), rows.Select(r => r.StudyInstanceUid).Order(StringComparer.Ordinal));
        var scan = Series.StudyScanner.Scan(Path.Combine(fixture.PhantomRoot, PhantomGenerator.DicomFolder));
        foreach (var row in rows)
        {
            var truth = fixture.Summary.Studies.Single(s => s.StudyInstanceUid == row.StudyInstanceUid);
            Assert.Equal(truth.PositiveSliceCount > 0 ? 1 : 0, row.Label);
            Assert.Equal("phantom", row.Source);
            var study = scan.Studies.Single(s => s.StudyInstanceUid == row.StudyInstanceUid);
            var detect = fixture.Triager.Triage(study, 1, Path.GetTempPath(), TriageOptions.Default with { WriteDicom = false });
            var counted = detect.Slices.Where(s => s.InStudyScore).Select(s => s.Probability).OrderDescending().ToList();
            Assert.Equal(truth.Files.Count, row.Slices);
            Assert.Equal(counted.Take(3).Average(), row.Raw, 12);
            Assert.Equal(detect.Probability!.Value, row.Probability, 12);
            Assert.Equal(Fixture.StudyCalibration.Apply(PlattScaling.Logit(row.Raw)), row.Probability, 12);
            Assert.Equal(detect.Subtypes, row.Subtypes);
        }
    }

    [Fact]
    public void Score_LabelsOfSomeStudiesOnly_ScoresOnlyThoseStudies()
    {
        var samples = DatasetLoader.Load(fixture.PhantomRoot).Samples;
        var first = fixture.Summary.Studies[0].StudyInstanceUid;
        var ofFirst = samples.Where(s => s.StudyId == first).ToList();
        Assert.NotEmpty(ofFirst);
        var row = Assert.Single(StudyCalibration.Score(fixture.Triager, ofFirst, TriageOptions.Default));
        Assert.Equal(first, row.StudyInstanceUid);
    }

    [Fact]
    public void Score_NoDicomSamples_NoRows()
    {
        var png = new LabeledSample { File = "/nonexistent/a.png", RelativeFile = "a.png", Format = ImageFormat.Png, Any = 1, Subtypes = [], PatientId = "p", Source = "test" };
        Assert.Empty(StudyCalibration.Score(fixture.Triager, [png], TriageOptions.Default));
    }

    [Fact]
    public void ScoreThenFit_PhantomStudies_ThresholdKeepsStudySensitivityOnThem()
    {
        var rows = StudyCalibration.Score(fixture.Triager, DatasetLoader.Load(fixture.PhantomRoot).Samples, TriageOptions.Default);
        var result = StudyCalibration.Fit(rows, 0.9, "phantom");
        var positives = rows.Where(r => r.Label == 1).ToList();
        int found = positives.Count(r => result.Calibration.Apply(PlattScaling.Logit(Math.Clamp(r.Raw, 1e-6, 1 - 1e-6))) >= result.Threshold);
        Assert.True(found >= 0.9 * positives.Count, $"{found} of {positives.Count} positive studies at {result.Threshold}");
    }

    /// <summary>Five phantom studies (256², 10 slices; both classes) and an untrained small-cnn package (64²).</summary>
    public sealed class Fixture : IDisposable
    {
        /// <summary>The package's study calibration (not the identity, so raw and calibrated differ).</summary>
        public static readonly PlattParameters StudyCalibration = new() { A = 1.5, B = -0.4, FittedOn = "test" };

        private readonly TempFolder _folder = TestData.CreateTempFolder();

        public Fixture()
        {
            // The first seed whose five studies hold both classes (deterministic: the same seed gives the same files).
            PhantomSummary? summary = null;
            string root = string.Empty;
            for (int seed = 1; summary is null; seed++)
            {
                root = Path.Combine(_folder.Path, "phantom-" + seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var candidate = new PhantomGenerator(new PhantomOptions { Studies = 5, Seed = seed, SliceCount = 10, MatrixSize = 256, PositiveStudyFraction = 0.5 }).Generate(root);
                int positive = candidate.Studies.Count(s => s.PositiveSliceCount > 0);
                summary = positive is > 0 and < 5 ? candidate : null;
            }

            PhantomRoot = root;
            Summary = summary;

            var model = Path.Combine(_folder.Path, "model");
            UntrainedModel.Save(model, "calibration-test", 5, StudyCalibration);
            Package = ModelPackage.Load(model);
            Triager = new StudyTriager(Package, InferencePrecision.Float32);
        }

        public string PhantomRoot { get; }

        public PhantomSummary Summary { get; }

        public ModelPackage Package { get; }

        public StudyTriager Triager { get; }

        public void Dispose()
        {
            Triager.Dispose();
            Package.Dispose();
            _folder.Dispose();
        }
    }
}
