using Headsup.Triage;
using Headsup.Training;
using Headsup.Training.Evaluation;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Headsup.Datasets;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Headsup.Models.Tests.Training;

/// <summary>
/// The shipped default model (models/default) on ../shared/data, against a stored table of its probabilities: the
/// safety net that says a refactoring left the model's predictions unchanged (issue 9). Slices are scored as
/// <c>headsup evaluate</c> scores them (<see cref="ModelEvaluator.ScoreSlices"/>) on every labelled slice of head-ct-dev,
/// real-ct-dev/labels.csv and real-ct-dev/slices/*/labels.csv; studies as <c>headsup detect</c> triages them
/// (<see cref="StudyTriager.Run"/>, default options) on each study folder of real-ct-dev/studies. Inference is forced to
/// float32. Probabilities must equal the stored ones within <see cref="Tolerance"/>; the study decisions, counted slices
/// and key slices must be equal. Regenerate the table (only when a change of predictions is intended) with
/// <c>scripts/update-golden-predictions.sh</c>, i.e. this test with HEADSUP_UPDATE_GOLDEN=1.
/// </summary>
[Trait("Category", "SharedData")]
public sealed class DefaultModelGoldenTests(DefaultModelGoldenTests.ModelFixture model, ITestOutputHelper output) : IClassFixture<DefaultModelGoldenTests.ModelFixture>
{
    /// <summary>
    /// Largest allowed absolute difference of a probability. The network runs in float32; the same code on another CPU
    /// or thread count may sum convolutions in another order (oneDNN picks kernels and splits by CPU and threads), which
    /// moves float32 logits by a few ulp (~1e-7 relative), far below 1e-5 in probability; any change of weights,
    /// inputs, calibration or aggregation moves them much more (a one-level change of one input pixel in 255 already
    /// moves some probabilities by more than 1e-5).
    /// </summary>
    public const double Tolerance = 1e-5;

    /// <summary>Set to 1 to rewrite the stored table from the current code instead of comparing with it.</summary>
    public const string UpdateVariable = "HEADSUP_UPDATE_GOLDEN";

    private static readonly string[] s_sliceSources =
    [
        "head-ct-dev/labels.csv",
        "real-ct-dev/labels.csv",
        "real-ct-dev/slices/inesriahi-samples/labels.csv",
        "real-ct-dev/slices/macascull-samples/labels.csv",
        "real-ct-dev/slices/yebiny-dcm_test/labels.csv",
    ];

    private static readonly string[] s_subtypes = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"];

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    [SkippableFact]
    public void ScoreSlices_DefaultModelOnSharedLabelledSlices_EqualsGoldenTable()
    {
        var root = TestData.RequireSharedData();
        foreach (var source in s_sliceSources)
        {
            TestData.RequireSharedData(source.Split('/'));
        }

        var package = model.Load();
        var clock = Stopwatch.StartNew();
        var dataset = DatasetLoader.LoadMany(s_sliceSources.Select(s => Path.Combine(root, s)));
        var problems = new List<SampleProblem>();
        var rows = ModelEvaluator.ScoreSlices(package, dataset.Samples, problems);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} slices scored in {clock.Elapsed.TotalSeconds:0.0} s; {problems.Count} problems"));
        Assert.Empty(problems);
        var actual = rows.Select(r => new GoldenSlice(Relative(root, r.Id), r.Label, r.Probability, s_subtypes.Select(n => r.Subtypes[n]).ToArray()))
            .OrderBy(r => r.File, StringComparer.Ordinal).ToList();
        var path = FixturePath("slices.csv");
        if (Updating)
        {
            WriteSlices(path, actual);
            model.WriteMeta(FixturePath("meta.json"));
            return;
        }

        model.CheckMeta(FixturePath("meta.json"));
        var expected = ReadSlices(path);
        Assert.Equal(expected.Select(e => e.File), actual.Select(a => a.File));
        var failures = new List<string>();
        foreach (var (e, a) in expected.Zip(actual))
        {
            if (e.Label != a.Label)
            {
                failures.Add($"{e.File}: label {a.Label}, stored {e.Label}");
            }

            Compare(failures, e.File, "any", e.Any, a.Any);
            for (int i = 0; i < s_subtypes.Length; i++)
            {
                Compare(failures, e.File, s_subtypes[i], e.Subtypes[i], a.Subtypes[i]);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} slice values differ from tests/…/Fixtures/default-model-golden/slices.csv:\n" + string.Join('\n', failures.Take(30)));
    }

    [SkippableFact]
    public void Run_DefaultModelOnEachRealStudy_EqualsGoldenTable()
    {
        var root = TestData.RequireSharedData();
        var studiesRoot = TestData.RequireSharedData("real-ct-dev", "studies");
        var package = model.Load();
        var clock = Stopwatch.StartNew();
        using var triager = new StudyTriager(package, InferencePrecision.Float32);
        using var temp = TestData.CreateTempFolder();
        var studies = new List<GoldenStudy>();
        var slices = new List<GoldenStudySlice>();
        foreach (var folder in Directory.GetDirectories(studiesRoot).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            var results = triager.Run(folder, Path.Combine(temp.Path, name), TriageOptions.Default);
            Assert.Empty(results.Failures);
            var study = Assert.Single(results.Studies);
            Assert.Null(study.Error);
            studies.Add(new GoldenStudy(
                name,
                study.StudyInstanceUid,
                study.Probability!.Value,
                study.Positive,
                study.Threshold,
                study.Slices.Count,
                study.Slices.Count(s => s.InStudyScore),
                string.Join(';', study.KeySlices.Select(k => k.SopInstanceUid)),
                s_subtypes.Select(n => study.Subtypes[n]).ToArray()));
            slices.AddRange(study.Slices.Select(s => new GoldenStudySlice(name, Relative(root, s.File), s.SopInstanceUid, s.InStudyScore, s.Probability, s_subtypes.Select(n => s.Subtypes![n]).ToArray())));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{studies.Count} studies, {slices.Count} slices triaged in {clock.Elapsed.TotalSeconds:0.0} s"));
        if (Updating)
        {
            WriteStudies(FixturePath("studies.csv"), studies);
            WriteStudySlices(FixturePath("study-slices.csv"), slices);
            model.WriteMeta(FixturePath("meta.json"));
            return;
        }

        model.CheckMeta(FixturePath("meta.json"));
        var expectedStudies = ReadStudies(FixturePath("studies.csv"));
        var expectedSlices = ReadStudySlices(FixturePath("study-slices.csv"));
        Assert.Equal(expectedStudies.Select(s => s.Study), studies.Select(s => s.Study));
        Assert.Equal(expectedSlices.Select(s => (s.Study, s.File)), slices.Select(s => (s.Study, s.File)));
        var failures = new List<string>();
        foreach (var (e, a) in expectedStudies.Zip(studies))
        {
            if (e.StudyInstanceUid != a.StudyInstanceUid || e.Positive != a.Positive || e.Slices != a.Slices || e.Counted != a.Counted || e.KeySlices != a.KeySlices)
            {
                failures.Add($"{e.Study}: stored {e} but got {a}");
            }

            Compare(failures, e.Study, "study probability", e.Probability, a.Probability);
            Compare(failures, e.Study, "threshold", e.Threshold, a.Threshold);
            for (int i = 0; i < s_subtypes.Length; i++)
            {
                Compare(failures, e.Study, "study " + s_subtypes[i], e.Subtypes[i], a.Subtypes[i]);
            }
        }

        foreach (var (e, a) in expectedSlices.Zip(slices))
        {
            if (e.SopInstanceUid != a.SopInstanceUid || e.InStudyScore != a.InStudyScore)
            {
                failures.Add($"{e.File}: stored {e.SopInstanceUid} in_study_score {e.InStudyScore}, got {a.SopInstanceUid} {a.InStudyScore}");
            }

            Compare(failures, e.File, "any", e.Probability, a.Probability);
            for (int i = 0; i < s_subtypes.Length; i++)
            {
                Compare(failures, e.File, s_subtypes[i], e.Subtypes[i], a.Subtypes[i]);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} study values differ from tests/…/Fixtures/default-model-golden/studies.csv and study-slices.csv:\n" + string.Join('\n', failures.Take(30)));
    }

    private static void Compare(List<string> failures, string id, string what, double expected, double actual)
    {
        if (!(Math.Abs(expected - actual) <= Tolerance))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{id} {what}: {actual:R}, stored {expected:R} (difference {actual - expected:0.###e0})"));
        }
    }

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace('\\', '/');

    /// <summary>The fixture folder beside this source file (it moves with the test).</summary>
    private static string FixturePath(string name, [CallerFilePath] string source = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "default-model-golden");
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"golden table folder {folder} not found (the test reads it beside its source file)");
        }

        return Path.Combine(folder, name);
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double D(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Header(string first) => first + "," + string.Join(',', s_subtypes);

    private static void WriteSlices(string path, IEnumerable<GoldenSlice> rows)
    {
        var csv = new StringBuilder(Header("file,label,any") + "\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.File},{r.Label},{F(r.Any)},{string.Join(',', r.Subtypes.Select(F))}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static List<GoldenSlice> ReadSlices(string path) => Rows(path, Header("file,label,any"))
        .Select(c => new GoldenSlice(c[0], int.Parse(c[1], CultureInfo.InvariantCulture), D(c[2]), c[3..].Select(D).ToArray())).ToList();

    private static void WriteStudies(string path, IEnumerable<GoldenStudy> rows)
    {
        var csv = new StringBuilder(Header("study,study_instance_uid,probability,positive,threshold,slices,counted,key_slices") + "\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Study},{r.StudyInstanceUid},{F(r.Probability)},{(r.Positive is { } positive ? (positive ? "1" : "0") : "none")},{F(r.Threshold)},{r.Slices},{r.Counted},{r.KeySlices},{string.Join(',', r.Subtypes.Select(F))}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static List<GoldenStudy> ReadStudies(string path) => Rows(path, Header("study,study_instance_uid,probability,positive,threshold,slices,counted,key_slices"))
        .Select(c => new GoldenStudy(c[0], c[1], D(c[2]), c[3] switch { "1" => true, "0" => false, _ => (bool?)null }, D(c[4]), int.Parse(c[5], CultureInfo.InvariantCulture), int.Parse(c[6], CultureInfo.InvariantCulture), c[7], c[8..].Select(D).ToArray())).ToList();

    private static void WriteStudySlices(string path, IEnumerable<GoldenStudySlice> rows)
    {
        var csv = new StringBuilder(Header("study,file,sop_instance_uid,in_study_score,any") + "\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Study},{r.File},{r.SopInstanceUid},{(r.InStudyScore ? 1 : 0)},{F(r.Probability)},{string.Join(',', r.Subtypes.Select(F))}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static List<GoldenStudySlice> ReadStudySlices(string path) => Rows(path, Header("study,file,sop_instance_uid,in_study_score,any"))
        .Select(c => new GoldenStudySlice(c[0], c[1], c[2], c[3] == "1", D(c[4]), c[5..].Select(D).ToArray())).ToList();

    private static IEnumerable<string[]> Rows(string path, string header)
    {
        var lines = File.ReadAllLines(path);
        Assert.True(lines.Length > 0 && lines[0] == header, $"{path}: header must be {header}");
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','));
    }

    private sealed record GoldenSlice(string File, int Label, double Any, double[] Subtypes);

    private sealed record GoldenStudy(string Study, string StudyInstanceUid, double Probability, bool? Positive, double Threshold, int Slices, int Counted, string KeySlices, double[] Subtypes);

    private sealed record GoldenStudySlice(string Study, string File, string SopInstanceUid, bool InStudyScore, double Probability, double[] Subtypes);

    /// <summary>The default model, loaded once for the tests of the class.</summary>
    public sealed class ModelFixture : IDisposable
    {
        private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

        private ModelPackage? _package;

        /// <summary>Loads models/default (once).</summary>
        public ModelPackage Load()
        {
            return _package ??= ModelPackage.Load(Path.Combine(TestData.RepoRoot, "models", "default"));
        }

        /// <summary>Records which model and settings made the table.</summary>
        public void WriteMeta(string path)
        {
            var meta = new Dictionary<string, object>
            {
                ["model"] = "models/default",
                ["model_name"] = _package!.Manifest.Name,
                ["model_version"] = _package.Manifest.Version,
                ["weights_sha256"] = _package.Manifest.Weights.Sha256,
                ["inference_precision"] = "float32",
                ["tolerance"] = Tolerance,
                ["regenerate"] = "bash scripts/update-golden-predictions.sh",
            };
            File.WriteAllText(path, JsonSerializer.Serialize(meta, s_indented) + "\n");
        }

        /// <summary>Fails clearly when the shipped weights are not the ones the table was made with.</summary>
        public void CheckMeta(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var stored = doc.RootElement.GetProperty("weights_sha256").GetString();
            Assert.True(
                stored == _package!.Manifest.Weights.Sha256,
                $"models/default has weights {_package.Manifest.Weights.Sha256}, the golden table was made with {stored}: if the model was retrained on purpose, regenerate the table (scripts/update-golden-predictions.sh)");
        }

        /// <inheritdoc/>
        public void Dispose() => _package?.Dispose();
    }
}
