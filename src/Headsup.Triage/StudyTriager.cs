using System.Diagnostics;
using System.Globalization;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Models;
using Headsup.Models.Explain;
using Headsup.Models.Networks;
using Headsup.Models.Packaging;
using Headsup.Models.Training;
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
    public const int SecondaryCaptureSeriesNumber = 9901;

    /// <summary>Series number of the SR series written into the study.</summary>
    public const int ReportSeriesNumber = 9902;

    /// <summary>The results file name.</summary>
    public const string ResultsFile = "results.json";

    private readonly ModelPackage _package;
    private readonly bool _ownsPackage;
    private readonly SeriesScorer _scorer;
    private readonly SeriesSelector _selector = new();
    private ClassifierNetwork? _bf16;

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

    /// <summary>Triage of one study; <paramref name="number"/> names its output folder (study-NN).</summary>
    public StudyResult Triage(DicomStudy study, int number, string outDir, TriageOptions options, IProgress<TriageProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var selection = _selector.Select(study);
        var skipped = selection.Rejected.Select(r => new SkippedSeries(
            r.Series.Series.SeriesInstanceUid,
            r.Series.Series.SeriesNumber,
            r.Series.Series.SeriesDescription,
            r.Series.Series.Instances.Count,
            r.Reasons.Select(x => x.ToString()).ToList())).ToList();
        double threshold = options.Threshold ?? _package.Manifest.Study.Threshold;
        if (selection.Selected is not { } series)
        {
            return new StudyResult
            {
                StudyInstanceUid = study.StudyInstanceUid,
                Threshold = threshold,
                Skipped = skipped,
                Error = "no usable series: " + selection.Explanation,
            };
        }

        var scored = _scorer.Score(series, options.BatchSize, new SyncProgress<int>(d => progress?.Report(new TriageProgress("score", d, series.Slices.Count, number))), cancellationToken);
        double scoreSeconds = clock.Elapsed.TotalSeconds;
        var problems = series.Problems.Select(p => p.ToString()).ToList();
        bool partial = scored.Failed.Count > 0 || series.Has(SeriesProblemKind.Gap) || series.Has(SeriesProblemKind.MissingPosition);
        var result = new StudyResult
        {
            StudyInstanceUid = study.StudyInstanceUid,
            SeriesInstanceUid = series.Series.SeriesInstanceUid,
            SeriesDescription = series.Series.SeriesDescription,
            Selection = selection.Explanation,
            Threshold = threshold,
            Skipped = skipped,
            FailedSlices = scored.Failed,
            SeriesProblems = problems,
            Partial = partial,
        };
        if (scored.Slices.Count == 0)
        {
            return result with { Error = $"none of the {series.Slices.Count} slices of the selected series could be read" };
        }

        var score = StudyScoring.Score(scored.Slices, _package.Manifest.Study, options.MinBrainFraction, options.KeySlices);
        var keys = score.KeySlices.Select(k => new KeySlice(score.Slices[k].SopInstanceUid, score.Slices[k].InstanceNumber, score.Slices[k].Z, score.Slices[k].Probability, scored.Indices[k])).ToList();
        result = result with
        {
            Probability = score.Probability,
            Positive = score.Probability >= threshold,
            Subtypes = score.Subtypes,
            KeySlices = keys,
            Slices = score.Slices,
            Explanation = options.Explain is { } m ? MethodName(m) : "none",
            ExplanationPrecision = options.Explain is null ? null : (options.ExplainPrecision ?? _scorer.Precision) == InferencePrecision.BFloat16 ? "bfloat16" : "float32",
        };

        var studyDir = Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"study-{number:00}"));
        var outputs = new StudyOutputs();
        var scReferences = new List<ReferencedImage>();
        if (options.Explain is { } method && (options.WriteImages || options.WriteDicom))
        {
            Directory.CreateDirectory(studyDir);
            outputs = ExplainKeySlices(series, result, score, scored, method, options, studyDir, outDir, number, scReferences, progress, cancellationToken);
        }

        double explainSeconds = clock.Elapsed.TotalSeconds - scoreSeconds;
        if (options.WriteDicom && scored.Source is { } source)
        {
            Directory.CreateDirectory(studyDir);
            var report = new DerivedSeries(source, DicomUid.Generate(), ReportSeriesNumber, "HEADS UP ICH triage report - NOT FOR DIAGNOSTIC USE", DateTime.Now);
            var finding = new TriageFinding(
                result.Positive == true,
                score.Probability,
                threshold,
                score.Subtypes,
                keys.Select(k => Reference(series.Slices[k.Index])).ToList(),
                partial,
                partial ? PartialNote(result) : null);
            var sr = StructuredReportBuilder.Create(report, Algorithm, finding, scReferences);
            var srPath = Path.Combine(studyDir, "report.sr.dcm");
            DicomFileWriter.Save(srPath, sr, TransferSyntax.ExplicitVRLittleEndian);
            outputs = outputs with { StructuredReport = Path.GetRelativePath(outDir, srPath) };
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
    /// Explains one loaded slice: its heatmap at the slice's own rows × columns and the brain region there. By default
    /// it runs in the scoring precision (bfloat16 where the CPU has it: about 3× faster; maps agree with float32 at
    /// Spearman ρ ≥ 0.90 on real slices, but IG completeness gaps grow from ~2 % to up to ~25 %); pass Float32 for the
    /// exact path.
    /// </summary>
    /// <exception cref="Datasets.InputRecipeException">The model's recipe needs HU and the slice is a display image.</exception>
    public (float[] Heatmap, byte[] Region, Explanation Explanation) ExplainSlice(Datasets.SliceImage center, Datasets.SliceImage? previous, Datasets.SliceImage? next, ExplainMethod method, ExplainOptions options, InferencePrecision? precision = null)
    {
        ArgumentNullException.ThrowIfNull(center);
        ArgumentNullException.ThrowIfNull(options);
        var (input, brain, frame) = _scorer.Prepare(center, previous, next);
        var m = _package.Manifest;
        Explanation explanation;
        using (var scope = NewDisposeScope())
        {
            var x = tensor(input, new long[] { 1, m.Input.Channels, m.Input.Size, m.Input.Size });
            explanation = Explainer.Explain(NetworkFor(precision ?? _scorer.Precision), x, method, options with { Region = brain.Any(v => v != 0) ? brain : null });
        }

        float low = explanation.Heatmap.Min();
        var heatmap = frame.ToSlice(explanation.Heatmap, low);
        var regionPlane = frame.ToSlice(brain.Select(v => (float)v).ToArray(), 0f);
        var region = regionPlane.Select(v => v >= 0.5f ? (byte)1 : (byte)0).ToArray();
        return (heatmap, region, explanation);
    }

    /// <summary>The package's network in <paramref name="precision"/> (float32: the package's own; bfloat16: a copy).</summary>
    public ClassifierNetwork NetworkFor(InferencePrecision precision)
    {
        if (precision == InferencePrecision.Float32)
        {
            return _package.Network;
        }

        if (_scorer.Precision == precision)
        {
            return _scorer.Network;
        }

        return _bf16 ??= InferencePrecisions.Convert(_package.Network, precision);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _scorer.Dispose();
        _bf16?.Dispose();
        if (_ownsPackage)
        {
            _package.Dispose();
        }
    }

    /// <summary>The CLI name of a method.</summary>
    public static string MethodName(ExplainMethod method) => method switch
    {
        ExplainMethod.IntegratedGradients => "ig",
        ExplainMethod.Xrai => "xrai",
        ExplainMethod.XraiFast => "xrai-fast",
        ExplainMethod.GradCam => "gradcam",
        _ => method.ToString(),
    };

    private StudyOutputs ExplainKeySlices(
        SortedSeries series,
        StudyResult result,
        StudyScore score,
        ScoredSeries scored,
        ExplainMethod method,
        TriageOptions options,
        string studyDir,
        string outDir,
        int number,
        List<ReferencedImage> scReferences,
        IProgress<TriageProgress>? progress,
        CancellationToken cancellationToken)
    {
        var heatmaps = new List<string>();
        var overlays = new List<string>();
        var captures = new List<string>();
        string? panel = null;
        var scSeries = scored.Source is { } source
            ? new DerivedSeries(source, DicomUid.Generate(), SecondaryCaptureSeriesNumber, "HEADS UP ICH heatmaps - NOT FOR DIAGNOSTIC USE", DateTime.Now)
            : null;
        bool needsNeighbours = _scorer.Spec.NeedsNeighbours;
        for (int k = 0; k < result.KeySlices.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new TriageProgress("explain", k, result.KeySlices.Count, number));
            var key = result.KeySlices[k];
            LoadedSlice center;
            try
            {
                center = SeriesScorer.Load(series.Slices[key.Index], key.Index);
            }
            catch (Datasets.SliceImageException)
            {
                continue; // it was readable a moment ago; the failure is already impossible to explain better than skipping
            }

            LoadedSlice? Neighbour(int i)
            {
                if (!needsNeighbours || i < 0 || i >= series.Slices.Count)
                {
                    return null;
                }

                try
                {
                    return SeriesScorer.Load(series.Slices[i], i);
                }
                catch (Datasets.SliceImageException)
                {
                    return null;
                }
            }

            var (heatmap, region, _) = ExplainSlice(center.Image, Neighbour(key.Index - 1)?.Image, Neighbour(key.Index + 1)?.Image, method, options.ExplainOptions, options.ExplainPrecision);
            int w = center.Image.Width, h = center.Image.Height;
            var name = string.Create(CultureInfo.InvariantCulture, $"key{k + 1}-slice{key.InstanceNumber ?? key.Index}");
            var overlay = OverlayRenderer.Explanation(center.Image, heatmap, region, method, options.OverlayTopFraction);
            if (options.WriteImages)
            {
                var npy = Path.Combine(studyDir, name + ".heatmap.npy");
                OverlayRenderer.SaveHeatmap(heatmap, h, w, npy);
                heatmaps.Add(Path.GetRelativePath(outDir, npy));
                var png = Path.Combine(studyDir, name + ".overlay.png");
                OverlayRenderer.SavePng(overlay, png);
                overlays.Add(Path.GetRelativePath(outDir, png));
                if (k == 0)
                {
                    var title = string.Create(CultureInfo.InvariantCulture, $"Study P(ICH) {result.Probability:0.000} ({(result.Positive == true ? "POSITIVE" : "negative")} at {result.Threshold:0.000}) · key slice {SliceLabel(key)} p {key.Probability:0.000} · {MethodName(method)} top {options.OverlayTopFraction:P0} · {_package.Manifest.Name} {_package.Manifest.Version}");
                    var panelImage = OverlayRenderer.Panel(OverlayRenderer.BrainWindow(center.Image.Pixels, w, h), overlay, score.Slices, score.KeySlices, result.Threshold, title);
                    var panelPath = Path.Combine(studyDir, "panel.png");
                    OverlayRenderer.SavePng(panelImage, panelPath);
                    panel = Path.GetRelativePath(outDir, panelPath);
                }
            }

            if (options.WriteDicom && scSeries is not null)
            {
                var lines = new[]
                {
                    string.Create(CultureInfo.InvariantCulture, $"HEADS UP ICH  study P {result.Probability:0.000} ({(result.Positive == true ? "POSITIVE" : "negative")} at {result.Threshold:0.000})  slice {SliceLabel(key)} P {key.Probability:0.000}"),
                    $"{MethodName(method)} heatmap, top {options.OverlayTopFraction.ToString("P0", CultureInfo.InvariantCulture)} of brain · model {_package.Manifest.Name} {_package.Manifest.Version}",
                    "NOT FOR DIAGNOSTIC USE",
                };
                var image = OverlayRenderer.WithBanner(overlay, lines);
                var sourceRef = Reference(series.Slices[key.Index]);
                var sc = SecondaryCaptureBuilder.Create(scSeries, Algorithm, image, k + 1, sourceRef);
                var scPath = Path.Combine(studyDir, name + ".sc.dcm");
                DicomFileWriter.Save(scPath, sc, TransferSyntax.ExplicitVRLittleEndian);
                captures.Add(Path.GetRelativePath(outDir, scPath));
                scReferences.Add(new ReferencedImage(DicomUid.SecondaryCaptureImageStorage, sc.GetString(DicomTags.SOPInstanceUID), scSeries.SeriesInstanceUid, k + 1, key.Z));
            }
        }

        progress?.Report(new TriageProgress("explain", result.KeySlices.Count, result.KeySlices.Count, number));
        return new StudyOutputs { Heatmaps = heatmaps, Overlays = overlays, Panel = panel, SecondaryCaptures = captures };
    }

    private static string SliceLabel(KeySlice key) => key.InstanceNumber?.ToString(CultureInfo.InvariantCulture) ?? "#" + key.Index.ToString(CultureInfo.InvariantCulture);

    private static ReferencedImage Reference(SortedSlice slice) => new(
        slice.Instance.SopClassUid.Length > 0 ? slice.Instance.SopClassUid : DicomUid.CTImageStorage,
        slice.Instance.SopInstanceUid,
        slice.Instance.SeriesInstanceUid,
        slice.Instance.InstanceNumber,
        slice.PositionMm);

    private static string PartialNote(StudyResult result)
    {
        var parts = new List<string>();
        if (result.FailedSlices.Count > 0)
        {
            parts.Add($"{result.FailedSlices.Count} slice(s) could not be read and were not scored");
        }

        parts.AddRange(result.SeriesProblems.Where(p => p.StartsWith(nameof(SeriesProblemKind.Gap), StringComparison.Ordinal) || p.StartsWith(nameof(SeriesProblemKind.MissingPosition), StringComparison.Ordinal)));
        return "Partial result: " + string.Join("; ", parts);
    }

    private static string Describe(PlattParameters p) => p.A == 1 && p.B == 0
        ? $"no calibration ({p.FittedOn})"
        : string.Create(CultureInfo.InvariantCulture, $"platt a={p.A:0.####} b={p.B:0.####} ({p.FittedOn})");
}
