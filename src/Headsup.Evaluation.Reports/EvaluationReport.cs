using Headsup.Core.IO;
using Headsup.Evaluation.Calibration;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Metrics;

namespace Headsup.Evaluation.Reports;

/// <summary>
/// Builds an evaluation report from predictions: computes <see cref="Metrics"/> (see <see cref="MetricsDocument"/>)
/// and writes metrics.json, predictions.csv, roc.png, pr.png, calibration.png and report.md with
/// <see cref="WriteTo"/>. Usage: <c>EvaluationReport.Create(rows, options).WriteTo(outDir)</c>.
/// </summary>
public sealed class EvaluationReport
{
    /// <summary>File names written by <see cref="WriteTo"/>.</summary>
    public static readonly IReadOnlyList<string> FileNames = ["metrics.json", "predictions.csv", "roc.png", "pr.png", "calibration.png", "report.md"];

    private readonly IReadOnlyList<(GroupSummary Group, RocCurve Curve)> _groupCurves;

    private EvaluationReport(IReadOnlyList<EvaluationRow> rows, EvaluationReportOptions options, MetricsDocument metrics, RocCurve roc, PrecisionRecallCurve pr, IReadOnlyList<(GroupSummary Group, RocCurve Curve)> groupCurves)
    {
        _groupCurves = groupCurves;
        Rows = rows;
        Options = options;
        Metrics = metrics;
        Roc = roc;
        PrecisionRecall = pr;
    }

    /// <summary>The evaluated rows.</summary>
    public IReadOnlyList<EvaluationRow> Rows { get; }

    /// <summary>The options used.</summary>
    public EvaluationReportOptions Options { get; }

    /// <summary>The computed metrics (the content of metrics.json).</summary>
    public MetricsDocument Metrics { get; }

    /// <summary>The ROC curve of the main label.</summary>
    public RocCurve Roc { get; }

    /// <summary>The precision–recall curve of the main label.</summary>
    public PrecisionRecallCurve PrecisionRecall { get; }

    /// <summary>Validates the rows and computes every metric, including the bootstrap intervals.</summary>
    /// <exception cref="ArgumentException">A label is not 0/1, a probability is outside [0, 1], or subtype columns are inconsistent.</exception>
    public static EvaluationReport Create(IReadOnlyList<EvaluationRow> rows, EvaluationReportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var hasSubtypeLabels = Validate(rows, options);
        var n = rows.Count;
        var probabilities = new double[n];
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            probabilities[i] = rows[i].Probability;
            labels[i] = rows[i].Label;
        }

        var data = LabeledScores.Create(probabilities, labels);
        var thresholds = new List<double> { options.Threshold };
        if (options.OperatingPointThreshold is { } op)
        {
            thresholds.Add(op);
        }

        var bootstrap = BinaryBootstrap.Run(data, thresholds, options.Bootstrap, cancellationToken);
        var atThreshold = Summarize(bootstrap.Thresholds[0], "fixed");
        var atOperatingPoint = options.OperatingPointThreshold is null
            ? null
            : Summarize(bootstrap.Thresholds[1], options.OperatingPointDescription ?? "model operating point");
        var bins = options.CalibrationBins;
        var ece = CalibrationMetrics.ExpectedCalibrationError(probabilities, labels, bins);
        var brier = CalibrationMetrics.BrierScore(probabilities, labels);
        var level = options.Level == EvaluationLevel.Study ? "study" : "slice";
        var subtypes = new List<SubtypeSummary>();
        for (var s = 0; s < options.SubtypeNames.Count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            subtypes.Add(hasSubtypeLabels ? SummarizeSubtype(rows, s, options) : new SubtypeSummary(options.SubtypeNames[s], null, null, null, null));
        }

        var metrics = new MetricsDocument(
            MetricsDocument.SchemaId,
            NotForClinicalUse: true,
            MetricsDocument.DisclaimerText,
            new ModelSummary(options.ModelName, options.ModelVersion),
            options.DatasetDescription,
            level,
            n,
            data.Positives,
            data.Negatives,
            n == 0 ? double.NaN : (double)data.Positives / n,
            bootstrap.Auc.Value,
            bootstrap.AveragePrecision.Value,
            options.Threshold,
            atThreshold.Precision.Value,
            atThreshold.Recall.Value,
            atThreshold.F1.Value,
            atThreshold.Specificity.Value,
            ece,
            brier,
            SensitivityAt(data, 0.90),
            SensitivityAt(data, 0.95),
            new RankingSummary(bootstrap.Auc, bootstrap.AveragePrecision),
            atThreshold,
            atOperatingPoint,
            new CalibrationSummary(bins, ece, brier, CalibrationMetrics.ReliabilityCurve(probabilities, labels, bins)),
            new IntervalSettings("percentile bootstrap", options.Bootstrap.Resamples, options.Bootstrap.Seed, options.Bootstrap.ConfidenceLevel, level),
            subtypes);
        var (groups, groupCurves) = SummarizeGroups(rows, options, thresholds, cancellationToken);
        return new EvaluationReport(rows, options, metrics with { Groups = groups }, RocCurve.Compute(data), PrecisionRecallCurve.Compute(data), groupCurves);
    }

    /// <summary>
    /// Writes all report files into <paramref name="outputDirectory"/> (created if needed), each written to a temporary
    /// name and then renamed; existing files of the same names are replaced.
    /// </summary>
    /// <returns>The full paths written, in the order of <see cref="FileNames"/>.</returns>
    /// <exception cref="EvaluationOutputException">The folder cannot be created or a file cannot be written; no temporary file is left behind.</exception>
    public IReadOnlyList<string> WriteTo(string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var files = new (string Name, byte[] Content)[]
        {
            ("metrics.json", MetricsJson.Serialize(Metrics)),
            ("predictions.csv", PredictionsCsv.Write(Rows, Options.SubtypeNames, Metrics.Groups is null ? null : Options.GroupedBy)),
            ("roc.png", ReportPlots.Roc(Roc, Metrics, _groupCurves)),
            ("pr.png", ReportPlots.PrecisionRecall(PrecisionRecall, Metrics)),
            ("calibration.png", ReportPlots.Calibration(Metrics)),
            ("report.md", MarkdownReport.Write(Metrics)),
        };
        if (File.Exists(outputDirectory))
        {
            throw new EvaluationOutputException($"output folder {outputDirectory} is an existing file");
        }

        try
        {
            return AtomicFile.WriteAll(outputDirectory, files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EvaluationOutputException($"cannot write the evaluation report to {outputDirectory}: {e.Message}", e);
        }
    }

    private static bool Validate(IReadOnlyList<EvaluationRow> rows, EvaluationReportOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CalibrationBins, 1, nameof(options));
        if (!(options.Threshold is >= 0 and <= 1) || options.OperatingPointThreshold is { } op && !(op is >= 0 and <= 1))
        {
            throw new ArgumentException("thresholds must be in [0, 1]", nameof(options));
        }

        var subtypeCount = options.SubtypeNames.Count;
        var withLabels = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"row {i} is null", nameof(rows));
            if (row.Label is not (0 or 1))
            {
                throw new ArgumentException($"row {i} ({row.Id}): label {row.Label} is not 0 or 1", nameof(rows));
            }

            if (!(row.Probability is >= 0 and <= 1))
            {
                throw new ArgumentException($"row {i} ({row.Id}): probability {row.Probability} is outside [0, 1]", nameof(rows));
            }

            if (subtypeCount > 0 && (row.SubtypeProbabilities?.Count ?? -1) != subtypeCount)
            {
                throw new ArgumentException($"row {i} ({row.Id}): expected {subtypeCount} subtype probabilities", nameof(rows));
            }

            if (row.SubtypeProbabilities is { } sp && sp.Any(p => !(p is >= 0 and <= 1)))
            {
                throw new ArgumentException($"row {i} ({row.Id}): a subtype probability is outside [0, 1]", nameof(rows));
            }

            if (row.SubtypeLabels is { } sl)
            {
                if (sl.Count != subtypeCount || sl.Any(l => l is not (0 or 1)))
                {
                    throw new ArgumentException($"row {i} ({row.Id}): expected {subtypeCount} subtype labels, each 0 or 1", nameof(rows));
                }

                withLabels++;
            }
        }

        if (withLabels != 0 && withLabels != rows.Count)
        {
            throw new ArgumentException("subtype labels must be given for every row or for none", nameof(rows));
        }

        return subtypeCount > 0 && rows.Count > 0 && withLabels == rows.Count;
    }

    private static ThresholdSummary Summarize(ThresholdIntervals t, string source) =>
        new(
            t.Counts.Threshold,
            source,
            t.Counts.TruePositives,
            t.Counts.FalsePositives,
            t.Counts.TrueNegatives,
            t.Counts.FalseNegatives,
            t.Precision,
            t.Recall,
            t.Specificity,
            t.F1,
            t.Counts.Accuracy,
            t.Counts.NegativePredictiveValue);

    private static SensitivityAtSpecificitySummary SensitivityAt(LabeledScores data, double target)
    {
        var point = RankingMetrics.SensitivityAtSpecificity(data, target);
        return new SensitivityAtSpecificitySummary(target, point.Sensitivity, point.Specificity, point.Threshold);
    }

    /// <summary>Each group's summary (null when no row has a group) and, for roc.png, the ROC curve of each group with both classes.</summary>
    private static (GroupsSummary? Groups, List<(GroupSummary Group, RocCurve Curve)> Curves) SummarizeGroups(IReadOnlyList<EvaluationRow> rows, EvaluationReportOptions options, IReadOnlyList<double> thresholds, CancellationToken cancellationToken)
    {
        var curves = new List<(GroupSummary Group, RocCurve Curve)>();
        var byName = rows.Where(r => r.Group is not null).GroupBy(r => r.Group!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (byName.Count == 0)
        {
            return (null, curves);
        }

        var ordered = options.GroupOrder.Where(byName.ContainsKey).Concat(byName.Keys.Where(n => !options.GroupOrder.Contains(n)).Order(StringComparer.Ordinal)).ToList();
        var items = new List<GroupSummary>();
        foreach (var name in ordered)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var members = byName[name];
            var data = LabeledScores.Create(members.Select(r => r.Probability).ToArray(), members.Select(r => r.Label).ToArray());
            var bootstrap = BinaryBootstrap.Run(data, thresholds, options.Bootstrap, cancellationToken);
            var group = new GroupSummary(
                name,
                data.Count,
                data.Positives,
                (double)data.Positives / data.Count,
                data.HasBothClasses ? bootstrap.Auc : null,
                data.Positives > 0 ? bootstrap.AveragePrecision : null,
                Summarize(bootstrap.Thresholds[0], "fixed"),
                options.OperatingPointThreshold is null ? null : Summarize(bootstrap.Thresholds[1], options.OperatingPointDescription ?? "model operating point"));
            items.Add(group);
            if (data.HasBothClasses)
            {
                curves.Add((group, RocCurve.Compute(data)));
            }
        }

        return (new GroupsSummary(options.GroupedBy, options.GroupNote, rows.Count(r => r.Group is null), items), curves);
    }

    private static SubtypeSummary SummarizeSubtype(IReadOnlyList<EvaluationRow> rows, int subtype, EvaluationReportOptions options)
    {
        var scores = rows.Select(r => r.SubtypeProbabilities![subtype]).ToArray();
        var labels = rows.Select(r => r.SubtypeLabels![subtype]).ToArray();
        var data = LabeledScores.Create(scores, labels);
        var bootstrap = BinaryBootstrap.Run(data, [], options.Bootstrap);
        return new SubtypeSummary(options.SubtypeNames[subtype], data.Positives, (double)data.Positives / data.Count, bootstrap.Auc, bootstrap.AveragePrecision);
    }
}
