using Headsup.Triage;
using Headsup.Inputs;
using Headsup.Core.IO;
using System.Globalization;
using System.Text;
using Headsup.Datasets;
using Headsup.Dicom.Writing;
using Headsup.Evaluation.Calibration;
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
public sealed record StudyCalibrationResult(PlattParameters Calibration, double Threshold, string Rule, IReadOnlyList<StudyCalibrationRow> Rows, double Auc);

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
    public static IReadOnlyList<StudyCalibrationRow> Score(StudyTriager triager, IReadOnlyList<LabeledSample> samples, TriageOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(triager);
        ArgumentNullException.ThrowIfNull(samples);
        var byFile = samples.Where(s => s.Format == ImageFormat.Dicom).GroupBy(s => Path.GetFullPath(s.File), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var folders = byFile.Keys.Select(f => Path.GetDirectoryName(f)!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var aggregation = triager.Package.Manifest.Study with { Calibration = new PlattParameters() };
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
