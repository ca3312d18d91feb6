using Headsup.Triage;
using Headsup.Inputs;
using Headsup.Core.IO;
using System.Globalization;
using System.Text;
using Headsup.Datasets;
using Headsup.Dicom.Writing;
using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Metrics;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Series;

namespace Headsup.Training.Evaluation;

/// <summary>One labelled study scored for calibration.</summary>
/// <param name="StudyInstanceUid">The study.</param>
/// <param name="Source">Where its label came from (the sample source, e.g. phantom, CQ500).</param>
/// <param name="Label">1 = hemorrhage.</param>
/// <param name="Raw">The uncalibrated aggregate (top-k mean of calibrated slice probabilities over counted slices).</param>
/// <param name="Slices">Slices scored.</param>
/// <param name="Probability">The study probability with the package's current study calibration (what detect reports).</param>
/// <param name="Subtypes">Per-subtype study scores.</param>
public sealed record StudyCalibrationRow(string StudyInstanceUid, string Source, int Label, double Raw, int Slices, double Probability, IReadOnlyDictionary<string, double> Subtypes);

/// <summary>The fitted study calibration.</summary>
/// <param name="Calibration">Platt parameters on logit(raw aggregate).</param>
/// <param name="Threshold">The study operating point (calibrated probability).</param>
/// <param name="Rule">How the threshold was chosen.</param>
/// <param name="Rows">The studies used.</param>
/// <param name="Auc">Study-level AUC of the aggregate on these studies (calibration does not change it).</param>
public sealed record StudyCalibrationResult(PlattParameters Calibration, double Threshold, string Rule, IReadOnlyList<StudyCalibrationRow> Rows, double Auc)
{
    /// <summary>What the calibration rests on (<see cref="StudyCalibrationStatus"/>; "phantom studies (development only)" when phantoms were allowed).</summary>
    public string Status { get; init; } = StudyCalibrationStatus.RealStudies;

    /// <summary>The studies, the rule and the leave-one-study-out estimates, in words.</summary>
    public string StatusDetail { get; init; } = string.Empty;

    /// <summary>Studies scored but not used (phantoms).</summary>
    public IReadOnlyList<StudyCalibrationRow> Excluded { get; init; } = [];

    /// <summary>Leave-one-study-out study sensitivity at the operating point (each study decided by a fit on the others); null when a class has fewer than 2 studies.</summary>
    public RateInterval? LeaveOneOutSensitivity { get; init; }

    /// <summary>Leave-one-study-out study specificity, likewise.</summary>
    public RateInterval? LeaveOneOutSpecificity { get; init; }
}

/// <summary>Which studies may fit the study calibration, and how many are enough.</summary>
/// <param name="MinimumPerClass">Real studies of each class needed before a threshold is fitted (below it: "insufficient real data").</param>
/// <param name="AllowPhantoms">Development only: let phantom studies count (the status then says so).</param>
public sealed record StudyCalibrationRules(int MinimumPerClass = StudyCalibrationRules.DefaultMinimumPerClass, bool AllowPhantoms = false)
{
    /// <summary>
    /// 20 positive and 20 negative studies: with 20 positives all caught, the Wilson 95 % lower bound of the study
    /// sensitivity is 0.84; with fewer, a threshold "for sensitivity ≥ 0.90" says little.
    /// </summary>
    public const int DefaultMinimumPerClass = 20;

    /// <summary>The status of a calibration that used phantoms.</summary>
    public const string PhantomStatus = "phantom studies (development only)";
}

/// <summary>
/// Fits the study-level calibration of a package on labelled studies, using the same path as detect: each study's
/// selected series is scored, slices with little brain are left out, the top-k mean is taken, and Platt scaling is fitted
/// on its logit; the study operating point is the highest threshold that keeps the target study sensitivity. Study labels
/// come from labelled samples (study_any when given, else any positive slice) matched to the scanned studies by file.
/// </summary>
public static class StudyCalibration
{
    /// <summary>
    /// Scores the labelled studies found in the folders of <paramref name="samples"/> exactly as detect does (also used by
    /// <c>headsup evaluate --level study</c> on DICOM data).
    /// </summary>
    /// <returns>One row per labelled study found, with the package's study aggregation.</returns>
    public static IReadOnlyList<StudyCalibrationRow> Score(StudyTriager triager, IReadOnlyList<LabeledSample> samples, TriageOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default) =>
        Score(triager, samples, options, progress, null, cancellationToken);

    /// <summary>As <see cref="Score(StudyTriager, IReadOnlyList{LabeledSample}, TriageOptions, IProgress{int}?, CancellationToken)"/>, with another aggregation method for <see cref="StudyCalibrationRow.Raw"/>.</summary>
    /// <param name="triager">The package, loaded for triage.</param>
    /// <param name="samples">Labelled samples; their folders are scanned for studies.</param>
    /// <param name="options">Triage options (series rules, brain fraction).</param>
    /// <param name="progress">Studies done.</param>
    /// <param name="cancellationToken">Stops between studies.</param>
    /// <param name="method">The study aggregation method of <see cref="StudyCalibrationRow.Raw"/> (default: the package's).</param>
    public static IReadOnlyList<StudyCalibrationRow> Score(StudyTriager triager, IReadOnlyList<LabeledSample> samples, TriageOptions options, IProgress<int>? progress, string? method, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(triager);
        ArgumentNullException.ThrowIfNull(samples);
        var byFile = samples.Where(s => s.Format == ImageFormat.Dicom).GroupBy(s => Path.GetFullPath(s.File), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var folders = byFile.Keys.Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var aggregation = triager.Package.Manifest.Study with { Calibration = new PlattParameters(), Method = method ?? triager.Package.Manifest.Study.Method };
        var rows = new List<StudyCalibrationRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int done = 0;
        foreach (var folder in folders)
        {
            var scan = StudyScanner.Scan(folder, options.Scan, cancellationToken: cancellationToken);
            foreach (var study in scan.Studies)
            {
                var members = study.Series.SelectMany(s => s.Instances)
                    .Select(i => i.Source is Series.Sources.FileDicomSource f && byFile.TryGetValue(Path.GetFullPath(f.FilePath), out var list) ? list : null)
                    .OfType<List<LabeledSample>>().SelectMany(l => l).ToList();
                int? label = members.Select(m => m.StudyAny).FirstOrDefault(v => v is not null);
                if (label is null && members.Any(m => m.AnyKnown))
                {
                    label = members.Where(m => m.AnyKnown).Max(m => m.Any);
                }

                if (label is null || !seen.Add(study.StudyInstanceUid))
                {
                    continue;
                }

                var result = triager.Assess(study, options, cancellationToken).Result;
                if (result.Slices.Count == 0)
                {
                    continue;
                }

                double raw = StudyAggregator.Aggregate(result.Slices.Where(s => s.InStudyScore).Select(s => s.Probability).ToList(), aggregation);
                rows.Add(new StudyCalibrationRow(study.StudyInstanceUid, members[0].Source, label.Value, raw, result.Slices.Count, result.Probability!.Value, result.Subtypes));
                progress?.Report(++done);
            }
        }

        return rows;
    }

    /// <summary>Fits Platt scaling on logit(raw) and picks the threshold for <paramref name="sensitivity"/>.</summary>
    /// <exception cref="ModelException">Fewer than 4 studies, or only one class.</exception>
    public static StudyCalibrationResult Fit(IReadOnlyList<StudyCalibrationRow> rows, double sensitivity, string description)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int positives = rows.Count(r => r.Label == 1);
        if (rows.Count < 4 || positives == 0 || positives == rows.Count)
        {
            throw new ModelException($"study calibration needs at least 4 labelled studies of both classes (got {rows.Count}, {positives} positive)");
        }

        var logits = rows.Select(r => PlattScaling.Logit(Math.Clamp(r.Raw, 1e-6, 1 - 1e-6))).ToArray();
        var labels = rows.Select(r => r.Label).ToArray();
        var platt = PlattScaling.Fit(logits, labels);
        var calibration = new PlattParameters { A = platt.A, B = platt.B, FittedOn = description };
        var probabilities = logits.Select(calibration.Apply).ToList();
        var (threshold, _) = TrainingRun.ChooseOperatingPoint(probabilities, labels, sensitivity);
        var rule = string.Create(CultureInfo.InvariantCulture, $"highest threshold with study sensitivity ≥ {sensitivity:0.00} on the calibration studies ({rows.Count} studies, {positives} positive), clamped to [0.05, 0.95]");
        double auc = RankingMetrics.RocAuc(rows.Select(r => r.Raw).ToArray(), labels);
        return new StudyCalibrationResult(calibration, threshold, rule, rows, auc);
    }

    /// <summary>
    /// The study calibration as a site should get it: phantom studies are left out (unless
    /// <see cref="StudyCalibrationRules.AllowPhantoms"/>), the threshold is estimated leave-one-study-out on what
    /// remains (sensitivity and specificity with Wilson 95 % intervals), and unless there are
    /// <see cref="StudyCalibrationRules.MinimumPerClass"/> studies of each class the result is
    /// <see cref="StudyCalibrationStatus.InsufficientRealData"/>: no calibration (identity), no threshold, and detect makes
    /// no decision and says so.
    /// </summary>
    /// <exception cref="ModelException">No study is left to use.</exception>
    public static StudyCalibrationResult FitOnRealStudies(IReadOnlyList<StudyCalibrationRow> rows, double sensitivity, string description, StudyCalibrationRules rules)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rules);
        var excluded = rules.AllowPhantoms ? [] : rows.Where(r => r.Source == SourceTransfer.PhantomSource).ToList();
        var used = rows.Except(excluded).ToList();
        if (used.Count == 0)
        {
            throw new ModelException($"no real labelled studies among the {rows.Count} scored: phantom studies are never used for the study calibration (they say nothing about a real scanner); give real labelled DICOM studies");
        }

        int positives = used.Count(r => r.Label == 1), negatives = used.Count - positives;
        var (looSensitivity, looSpecificity) = LeaveOneStudyOut(used, sensitivity);
        string loo = looSensitivity is null
            ? "leave-one-study-out: not possible (needs 5 studies, 2 of each class)"
            : string.Create(CultureInfo.InvariantCulture, $"leave-one-study-out at the fitted operating point: sensitivity {looSensitivity.Value:0.00} [{looSensitivity.Low:0.00}, {looSensitivity.High:0.00}] ({looSensitivity.Hits}/{looSensitivity.N}), specificity {looSpecificity!.Value:0.00} [{looSpecificity.Low:0.00}, {looSpecificity.High:0.00}] ({looSpecificity.Hits}/{looSpecificity.N}), Wilson 95 %");
        string counted = string.Create(CultureInfo.InvariantCulture, $"{used.Count} {(rules.AllowPhantoms ? string.Empty : "real ")}labelled studies ({positives} positive, {negatives} negative{(excluded.Count > 0 ? $"; {excluded.Count} phantom studies left out" : string.Empty)})");
        double auc = positives > 0 && negatives > 0 ? RankingMetrics.RocAuc(used.Select(r => r.Raw).ToArray(), used.Select(r => r.Label).ToArray()) : double.NaN;
        if (positives < rules.MinimumPerClass || negatives < rules.MinimumPerClass)
        {
            string detail = $"{counted}; a study threshold needs at least {rules.MinimumPerClass} of each class; {loo}";
            return new StudyCalibrationResult(new PlattParameters { FittedOn = "none: " + StudyCalibrationStatus.InsufficientRealData + " (" + counted + ")" }, 0.5, "none: " + StudyCalibrationStatus.InsufficientRealData, used, auc)
            {
                Status = StudyCalibrationStatus.InsufficientRealData,
                StatusDetail = detail,
                Excluded = excluded,
                LeaveOneOutSensitivity = looSensitivity,
                LeaveOneOutSpecificity = looSpecificity,
            };
        }

        var fitted = Fit(used, sensitivity, description + "; " + counted);
        return fitted with
        {
            Status = rules.AllowPhantoms && used.Any(r => r.Source == SourceTransfer.PhantomSource) ? StudyCalibrationRules.PhantomStatus : StudyCalibrationStatus.RealStudies,
            StatusDetail = $"{counted}; {loo}",
            Excluded = excluded,
            LeaveOneOutSensitivity = looSensitivity,
            LeaveOneOutSpecificity = looSpecificity,
        };
    }

    /// <summary>Each study decided by a calibration and threshold fitted on all the others; null when a class has fewer than 2 studies or there are fewer than 5.</summary>
    private static (RateInterval? Sensitivity, RateInterval? Specificity) LeaveOneStudyOut(List<StudyCalibrationRow> rows, double sensitivity)
    {
        int positives = rows.Count(r => r.Label == 1);
        if (positives < 2 || rows.Count - positives < 2 || rows.Count < 5)
        {
            return (null, null);
        }

        int tp = 0, tn = 0;
        for (int i = 0; i < rows.Count; i++)
        {
            var rest = rows.Where((_, j) => j != i).ToList();
            var fit = Fit(rest, sensitivity, "leave-one-study-out");
            double p = fit.Calibration.Apply(PlattScaling.Logit(Math.Clamp(rows[i].Raw, 1e-6, 1 - 1e-6)));
            bool flagged = p >= fit.Threshold;
            if (rows[i].Label == 1 && flagged)
            {
                tp++;
            }
            else if (rows[i].Label == 0 && !flagged)
            {
                tn++;
            }
        }

        return (RateInterval.Wilson(tp, positives), RateInterval.Wilson(tn, rows.Count - positives));
    }

    /// <summary>Writes study-calibration.csv (one row per study with raw and calibrated probability).</summary>
    public static void WriteRows(string path, StudyCalibrationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder("study_instance_uid,source,label,slices,raw,probability\n");
        foreach (var r in result.Rows)
        {
            double p = result.Calibration.Apply(PlattScaling.Logit(Math.Clamp(r.Raw, 1e-6, 1 - 1e-6)));
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.StudyInstanceUid},{r.Source},{r.Label},{r.Slices},{r.Raw:0.######},{p:0.######}"));
        }

        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(csv.ToString())));
    }
}
