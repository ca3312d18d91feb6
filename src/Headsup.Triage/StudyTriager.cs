using Headsup.Inputs;
using Headsup.Core.Progress;
using System.Diagnostics;
using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Reporting;
using Headsup.Series;
using Headsup.Series.Grouping;
using Headsup.Series.Selection;
using Headsup.Series.Sorting;
using Headsup.Triage.Rendering;
using static TorchSharp.torch;

namespace Headsup.Triage;

/// <summary>
/// Triage of head CT studies with one loaded model: scan the input (file, folder or zip), group studies and series,
/// select the series to read, score its slices in batches, turn them into a calibrated study probability and key
/// slices, optionally explain the key slices (heatmap .npy, overlay PNG, panel), and write results.json, a DICOM
/// Comprehensive SR per study and a Secondary Capture per explained key slice. Bad files, unusable studies and
/// unreadable slices are reported and the rest goes on; a study scored from fewer slices than it has is marked partial.
/// </summary>
public sealed class StudyTriager : IDisposable
{
    /// <summary>Series number of the Secondary Capture series written into the study.</summary>
    public const int SecondaryCaptureSeriesNumber = TriageDicomWriter.SecondaryCaptureSeriesNumber;

    /// <summary>Series number of the SR series written into the study.</summary>
    public const int ReportSeriesNumber = TriageDicomWriter.ReportSeriesNumber;

    /// <summary>The results file name.</summary>
    public const string ResultsFile = "results.json";

    private readonly ModelPackage _package;
    private readonly bool _ownsPackage;
    private readonly SeriesScorer _scorer;
    private readonly StudyAssessor _assessor;
    private readonly SliceExplainer _explainer;

    /// <summary>Wraps a loaded package (not disposed with the triager).</summary>
    public StudyTriager(ModelPackage package)
        : this(package, ownsPackage: false, precision: null)
    {
    }

    /// <summary>
    /// Wraps a loaded package (not disposed with the triager) and scores in <paramref name="precision"/> whatever the CPU
    /// and <see cref="InferencePrecisions.EnvironmentVariable"/> say (e.g. float32 for reproducible reference scores).
    /// </summary>
    public StudyTriager(ModelPackage package, InferencePrecision precision)
        : this(package, ownsPackage: false, precision)
    {
    }

    private StudyTriager(ModelPackage package, bool ownsPackage, InferencePrecision? precision)
    {
        ArgumentNullException.ThrowIfNull(package);
        _package = package;
        _ownsPackage = ownsPackage;
        _scorer = new SeriesScorer(package, precision);
        _assessor = new StudyAssessor(_scorer, package.Manifest.Study);
        _explainer = new SliceExplainer(package, _scorer);
        var m = package.Manifest;
        Provenance = new ModelProvenance
        {
            Name = m.Name,
            Version = m.Version,
            Architecture = m.Architecture,
            Input = $"{m.Input.Recipe} {m.Input.Size}",
            WeightsSha256 = m.Weights.Sha256,
            TrainingManifestHash = m.Training.ManifestHash,
            SliceCalibration = Describe(m.Calibration),
            StudyAggregation = string.Create(CultureInfo.InvariantCulture, $"{m.Study.Method} k={m.Study.K}, then {Describe(m.Study.Calibration)}; threshold {m.Study.Threshold:0.####}"),
            Location = package.Location,
            InferencePrecision = _scorer.Precision == InferencePrecision.BFloat16 ? "bfloat16 (CPU has AVX512-BF16/AMX)" : "float32",
        };
        Algorithm = new AlgorithmIdentity(m.Name, m.Version, m.Weights.Sha256);
    }

    /// <summary>The model's identity as written into results.json.</summary>
    public ModelProvenance Provenance { get; }

    /// <summary>The model's identity as written into DICOM outputs.</summary>
    public AlgorithmIdentity Algorithm { get; }

    /// <summary>The loaded package.</summary>
    public ModelPackage Package => _package;

    /// <summary>Loads a package (folder or zip) once for many studies.</summary>
    /// <exception cref="ModelException">The package cannot be loaded or its recipe does not fit its network.</exception>
    public static StudyTriager Load(string location)
    {
        var package = ModelPackage.Load(location);
        try
        {
            return new StudyTriager(package, ownsPackage: true, precision: null);
        }
        catch
        {
            package.Dispose();
            throw;
        }
    }

    /// <summary>Triage of every study under <paramref name="input"/>; writes results.json and per-study outputs under <paramref name="outDir"/>.</summary>
    /// <exception cref="ScanInputException">The input does not exist or cannot be listed.</exception>
    public TriageResults Run(string input, string outDir, TriageOptions? options = null, IProgress<TriageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= TriageOptions.Default;
        var started = DateTimeOffset.UtcNow;
        Directory.CreateDirectory(outDir);
        var scan = StudyScanner.Scan(input, options.Scan, new SyncProgress<ScanProgress>(p => progress?.Report(new TriageProgress("scan", p.InputFilesScanned, p.InputFilesTotal, 0))), cancellationToken);
        var studies = new List<StudyResult>(scan.Studies.Count);
        for (int s = 0; s < scan.Studies.Count; s++)
        {
            studies.Add(Triage(scan.Studies[s], s + 1, outDir, options, progress, cancellationToken));
        }

        var failures = scan.Failures.Select(f => new InputProblem(f.Source, f.Reason)).ToList();
        var results = new TriageResults
        {
            HeadsupVersion = ThisBuild.Version,
            CreatedUtc = started,
            Model = Provenance,
            Studies = studies,
            Failures = failures,
            SkippedFiles = scan.Skipped.Select(f => new InputProblem(f.Source, f.Reason)).ToList(),
        };
        TriageJson.Write(Path.Combine(outDir, ResultsFile), results);
        return results;
    }

    /// <summary>
    /// Triage of one study, stage by stage: score and aggregate (<see cref="StudyAssessor"/>), explain the key slices
    /// (<see cref="SliceExplainer"/>), write heatmaps, overlays and the panel (<see cref="TriageImageWriter"/>) and the
    /// DICOM SR and Secondary Captures (<see cref="TriageDicomWriter"/>). <paramref name="number"/> names its output folder (study-NN).
    /// </summary>
    public StudyResult Triage(DicomStudy study, int number, string outDir, TriageOptions options, IProgress<TriageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        double threshold = options.Threshold ?? _package.Manifest.Study.Threshold;
        var assessment = _assessor.Assess(study, threshold, options, new SyncProgress<(int Done, int Total)>(p => progress?.Report(new TriageProgress("score", p.Done, p.Total, number))), cancellationToken);
        var result = assessment.Result;
        if (assessment.Series is not { } series || assessment.Scored is not { } scored || assessment.Score is null)
        {
            return result;
        }

        double scoreSeconds = clock.Elapsed.TotalSeconds;
        result = result with
        {
            Explanation = options.Explain is { } m ? MethodName(m) : "none",
            ExplanationPrecision = options.Explain is null ? null : (options.ExplainPrecision ?? _scorer.Precision) == InferencePrecision.BFloat16 ? "bfloat16" : "float32",
        };

        var studyDir = Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"study-{number:00}"));
        var outputs = new StudyOutputs();
        IReadOnlyList<ReferencedImage> captures = [];
        if (options.Explain is { } method && (options.WriteImages || options.WriteDicom))
        {
            var explained = _explainer.ExplainKeySlices(series, result.KeySlices, method, options.ExplainOptions, options.ExplainPrecision, new SyncProgress<int>(k => progress?.Report(new TriageProgress("explain", k, result.KeySlices.Count, number))), cancellationToken);
            var rendered = TriageImageWriter.Render(explained, method, options.OverlayTopFraction);
            if (options.WriteImages)
            {
                outputs = TriageImageWriter.Write(rendered, result, PanelTitle(result, method, options), studyDir, outDir);
            }

            if (options.WriteDicom && scored.Source is { } scSource)
            {
                var (files, references) = TriageDicomWriter.WriteSecondaryCaptures(rendered, scSource, Algorithm, result, MethodName(method), options.OverlayTopFraction, $"{_package.Manifest.Name} {_package.Manifest.Version}", studyDir, outDir);
                outputs = outputs with { SecondaryCaptures = files };
                captures = references;
            }
        }

        double explainSeconds = clock.Elapsed.TotalSeconds - scoreSeconds;
        if (options.WriteDicom && scored.Source is { } source)
        {
            outputs = outputs with { StructuredReport = TriageDicomWriter.WriteReport(series, result, source, Algorithm, captures, studyDir, outDir) };
        }

        var seconds = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["score"] = Math.Round(scoreSeconds, 3),
            ["score_read"] = scored.Seconds["read"],
            ["score_prepare"] = scored.Seconds["prepare"],
            ["score_network"] = scored.Seconds["network"],
            ["explain"] = Math.Round(explainSeconds, 3),
            ["total"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
        };
        return result with { Outputs = outputs, Seconds = seconds };
    }

    /// <summary>
    /// Explains the key slices of a study already triaged, with another method than its results carry (the service's
    /// second pass: XRAI overlays after a fast Grad-CAM result). The series is chosen again by the same rules and must be
    /// <paramref name="seriesInstanceUid"/>; each key slice is found by its SOP Instance UID. Writes the heatmaps and
    /// overlays (named as detect names them) under <paramref name="studyDir"/>; paths are relative to <paramref name="outDir"/>.
    /// Returns null when the series or none of the key slices is there any more (the study changed).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> stopped it (nothing complete is returned).</exception>
    public KeySliceExplanation? ExplainKeySlices(DicomStudy study, string seriesInstanceUid, IReadOnlyList<string> keySopInstanceUids, ExplainMethod method, TriageOptions options, string studyDir, string outDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(keySopInstanceUids);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        if (new SeriesSelector().Select(study).Selected is not { } series || series.Series.SeriesInstanceUid != seriesInstanceUid)
        {
            return null;
        }

        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < series.Slices.Count; i++)
        {
            indexOf.TryAdd(series.Slices[i].Instance.SopInstanceUid, i);
        }

        var keys = keySopInstanceUids.Where(indexOf.ContainsKey)
            .Select(sop => new KeySlice(sop, series.Slices[indexOf[sop]].Instance.InstanceNumber, series.Slices[indexOf[sop]].PositionMm, 0, indexOf[sop]))
            .ToList();

        if (keys.Count == 0)
        {
            return null;
        }

        var explainOptions = options.ExplainOptions with { Cancellation = cancellationToken };
        var explained = _explainer.ExplainKeySlices(series, keys, method, explainOptions, options.ExplainPrecision, progress: null, cancellationToken);
        var outputs = TriageImageWriter.WriteSlices(TriageImageWriter.Render(explained, method, options.OverlayTopFraction), studyDir, outDir);
        var precision = (options.ExplainPrecision ?? _scorer.Precision) == InferencePrecision.BFloat16 ? "bfloat16" : "float32";
        var files = explained.Select((e, i) => new ExplainedKeySliceFiles(e.Key.SopInstanceUid, outputs.Heatmaps[i], outputs.Overlays[i])).ToList();
        return new KeySliceExplanation(MethodName(method), precision, files, Math.Round(clock.Elapsed.TotalSeconds, 3));
    }

    /// <summary>Scores one study without explanations or outputs (the score and aggregate stages alone).</summary>
    public StudyAssessment Assess(DicomStudy study, TriageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _assessor.Assess(study, options.Threshold ?? _package.Manifest.Study.Threshold, options, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Explains one loaded slice: its heatmap at the slice's own rows × columns and the brain region there
    /// (<see cref="SliceExplainer.Explain"/>).
    /// </summary>
    /// <exception cref="InputRecipeException">The model's recipe needs HU and the slice is a display image.</exception>
    public ExplainedSlice ExplainSlice(SliceImage center, SliceImage? previous, SliceImage? next, ExplainMethod method, ExplainOptions options, InferencePrecision? precision = null) =>
        _explainer.Explain(new SliceStack(center, previous, next), method, options, precision);

    /// <summary>The package's network in <paramref name="precision"/> (float32: the package's own; bfloat16: a copy).</summary>
    public ClassifierNetwork NetworkFor(InferencePrecision precision) => _explainer.NetworkFor(precision);

    /// <inheritdoc/>
    public void Dispose()
    {
        _explainer.Dispose();
        _scorer.Dispose();
        if (_ownsPackage)
        {
            _package.Dispose();
        }
    }

    /// <summary>The method a CLI name stands for (ig, xrai, xrai-fast, gradcam); null for any other name.</summary>
    public static ExplainMethod? ParseMethodName(string name) => name switch
    {
        "ig" => ExplainMethod.IntegratedGradients,
        "xrai" => ExplainMethod.Xrai,
        "xrai-fast" => ExplainMethod.XraiFast,
        "gradcam" => ExplainMethod.GradCam,
        _ => null,
    };

    /// <summary>The CLI name of a method.</summary>
    public static string MethodName(ExplainMethod method) => method switch
    {
        ExplainMethod.IntegratedGradients => "ig",
        ExplainMethod.Xrai => "xrai",
        ExplainMethod.XraiFast => "xrai-fast",
        ExplainMethod.GradCam => "gradcam",
        _ => method.ToString(),
    };

    private string PanelTitle(StudyResult result, ExplainMethod method, TriageOptions options)
    {
        var key = result.KeySlices[0];
        return string.Create(CultureInfo.InvariantCulture, $"Study P(ICH) {result.Probability:0.000} ({TriageDicomWriter.DecisionText(result)}) · key slice {TriageDicomWriter.SliceLabel(key)} p {key.Probability:0.000} · {MethodName(method)} top {options.OverlayTopFraction:P0} · {_package.Manifest.Name} {_package.Manifest.Version}");
    }

    private static string Describe(PlattParameters p) => p.A == 1 && p.B == 0
        ? $"no calibration ({p.FittedOn})"
        : string.Create(CultureInfo.InvariantCulture, $"platt a={p.A:0.####} b={p.B:0.####} ({p.FittedOn})");
}
