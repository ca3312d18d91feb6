using System.Globalization;
using System.Text;
using Headsup.Evaluation.Intervals;

namespace Headsup.Evaluation.Reports;

/// <summary>report.md: a readable summary of <see cref="MetricsDocument"/> that links the PNG plots.</summary>
internal static class MarkdownReport
{
    public static byte[] Write(MetricsDocument m)
    {
        var s = new StringBuilder();
        var op = m.AtOperatingPoint;
        var level = m.Level == "study" ? "study (one row per study; intervals resample studies)" : "slice (one row per slice; intervals resample slices)";
        Line(s, $"# Evaluation report: {Cell(m.Model.Name)} {Cell(m.Model.Version)}");
        Line(s);
        Line(s, $"**{MetricsDocument.DisclaimerText}**");
        Line(s);
        Line(s, "## Data");
        Line(s);
        Line(s, "| Item | Value |");
        Line(s, "|---|---|");
        Line(s, $"| Model | {Cell(m.Model.Name)} {Cell(m.Model.Version)} |");
        Line(s, $"| Data | {Cell(m.Dataset)} |");
        Line(s, $"| Level | {level} |");
        Line(s, $"| n | {m.N.ToString(CultureInfo.InvariantCulture)} |");
        Line(s, $"| Positives | {m.Positives.ToString(CultureInfo.InvariantCulture)} |");
        Line(s, $"| Prevalence | {Format(m.Prevalence)} |");
        Line(s);
        Line(s, "## Metrics");
        Line(s);
        var i = m.Intervals;
        var ci = $"{Format(i.ConfidenceLevel * 100, "0.#")} % CI";
        Line(s, $"Values with {Format(i.ConfidenceLevel * 100, "0.#")} % {i.Method} intervals ({i.Resamples.ToString(CultureInfo.InvariantCulture)} resamples of {(i.ResamplingUnit == "study" ? "studies" : "slices")}, seed {i.Seed.ToString(CultureInfo.InvariantCulture)}). A row is positive when its probability is ≥ the threshold.");
        Line(s);
        Line(s, $"| Threshold-free metric | Value ({ci}) |");
        Line(s, "|---|---|");
        Line(s, $"| ROC AUC | {Interval(m.Ranking.Auc)} |");
        Line(s, $"| Average precision | {Interval(m.Ranking.AveragePrecision)} |");
        Line(s, $"| Sensitivity at specificity ≥ 0.90 | {Format(m.SensitivityAtSpecificity90.Sensitivity)} (specificity {Format(m.SensitivityAtSpecificity90.Specificity)}, threshold {Format(m.SensitivityAtSpecificity90.Threshold)}) |");
        Line(s, $"| Sensitivity at specificity ≥ 0.95 | {Format(m.SensitivityAtSpecificity95.Sensitivity)} (specificity {Format(m.SensitivityAtSpecificity95.Specificity)}, threshold {Format(m.SensitivityAtSpecificity95.Threshold)}) |");
        Line(s, $"| Expected calibration error ({m.Calibration.Bins.ToString(CultureInfo.InvariantCulture)} bins) | {Format(m.Ece)} |");
        Line(s, $"| Brier score | {Format(m.Brier)} |");
        Line(s);
        var t = m.AtThreshold;
        var header = $"| Metric | Threshold {Format(t.Threshold)} ({Cell(t.Source)}) |";
        var rule = "|---|---|";
        if (op is not null)
        {
            header += $" Operating point {Format(op.Threshold)} ({Cell(op.Source)}) |";
            rule += "---|";
        }

        Line(s, header);
        Line(s, rule);
        Row(s, "Precision (PPV)", Interval(t.Precision), op is null ? null : Interval(op.Precision));
        Row(s, "Recall (sensitivity)", Interval(t.Recall), op is null ? null : Interval(op.Recall));
        Row(s, "Specificity", Interval(t.Specificity), op is null ? null : Interval(op.Specificity));
        Row(s, "F1", Interval(t.F1), op is null ? null : Interval(op.F1));
        Row(s, "Accuracy", Format(t.Accuracy), op is null ? null : Format(op.Accuracy));
        Row(s, "NPV", Format(t.Npv), op is null ? null : Format(op.Npv));
        Row(s, "TP / FP / TN / FN", Counts(t), op is null ? null : Counts(op));
        if (m.Groups is { } groups)
        {
            Groups(s, groups, ci, m.Level == "study" ? "studies" : "slices");
        }

        Line(s);
        Line(s, "## Plots");
        Line(s);
        Line(s, "![ROC curve](roc.png)");
        Line(s);
        Line(s, "![Precision-recall curve](pr.png)");
        Line(s);
        Line(s, "![Reliability diagram](calibration.png)");
        Line(s);
        Line(s, "## Calibration");
        Line(s);
        Line(s, "| Bin | Count | Mean predicted | Observed frequency |");
        Line(s, "|---|---|---|---|");
        foreach (var b in m.Calibration.Reliability)
        {
            var close = b.Upper >= 1 ? "]" : ")";
            Line(s, $"| [{Format(b.Lower, "0.00")}, {Format(b.Upper, "0.00")}{close} | {b.Count.ToString(CultureInfo.InvariantCulture)} | {Format(b.MeanPredicted)} | {Format(b.ObservedFrequency)} |");
        }

        if (m.Subtypes.Count > 0)
        {
            Line(s);
            Line(s, "## Subtypes");
            Line(s);
            Line(s, $"| Subtype | Positives | Prevalence | ROC AUC ({ci}) | Average precision ({ci}) |");
            Line(s, "|---|---|---|---|---|");
            foreach (var st in m.Subtypes)
            {
                var positives = st.Positives?.ToString(CultureInfo.InvariantCulture) ?? "n/a";
                Line(s, $"| {Cell(st.Name)} | {positives} | {Format(st.Prevalence ?? double.NaN)} | {(st.Auc is null ? "n/a" : Interval(st.Auc))} | {(st.AveragePrecision is null ? "n/a" : Interval(st.AveragePrecision))} |");
            }
        }

        Line(s);
        Line(s, "---");
        Line(s);
        Line(s, MetricsDocument.DisclaimerText);
        return Encoding.UTF8.GetBytes(s.ToString());
    }

    private static void Groups(StringBuilder s, GroupsSummary groups, string ci, string unit)
    {
        Line(s);
        Line(s, $"## By {Cell(groups.By)}");
        Line(s);
        var note = groups.Note is null ? string.Empty : Cell(groups.Note) + " ";
        var ungrouped = groups.Ungrouped > 0 ? string.Create(CultureInfo.InvariantCulture, $"{groups.Ungrouped} {unit} are in no group. ") : string.Empty;
        Line(s, $"{note}{ungrouped}Each group's rows on their own; intervals resample within the group. With few positives, read the intervals, not the point values.");
        Line(s);
        bool op = groups.Items.Any(g => g.AtOperatingPoint is not null);
        var rates = op ? "at the operating point" : "at the fixed threshold";
        Line(s, $"| {Cell(groups.By)} | n | Positives | Prevalence | ROC AUC ({ci}) | Average precision ({ci}) | Sensitivity {rates} | Specificity {rates} |");
        Line(s, "|---|---|---|---|---|---|---|---|");
        foreach (var g in groups.Items)
        {
            var at = g.AtOperatingPoint ?? g.AtThreshold;
            Line(s, string.Create(CultureInfo.InvariantCulture, $"| {Cell(g.Name)} | {g.N} | {g.Positives} | {Format(g.Prevalence)} | {(g.Auc is null ? "n/a (one class)" : Interval(g.Auc))} | {(g.AveragePrecision is null ? "n/a" : Interval(g.AveragePrecision))} | {(g.Positives > 0 ? Interval(at.Recall) : "n/a")} | {(g.N > g.Positives ? Interval(at.Specificity) : "n/a")} |"));
        }
    }

    /// <summary>Three decimals, invariant culture; "n/a" for NaN or infinity.</summary>
    public static string Format(double value, string format = "0.000") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Interval(ConfidenceInterval ci) =>
        double.IsNaN(ci.Value) ? "n/a" : double.IsNaN(ci.Low) ? Format(ci.Value) : $"{Format(ci.Value)} ({Format(ci.Low)}–{Format(ci.High)})";

    private static string Counts(ThresholdSummary t) => string.Create(CultureInfo.InvariantCulture, $"{t.Tp} / {t.Fp} / {t.Tn} / {t.Fn}");

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static void Row(StringBuilder s, string name, string value, string? operatingValue) =>
        Line(s, operatingValue is null ? $"| {name} | {value} |" : $"| {name} | {value} | {operatingValue} |");

    private static void Line(StringBuilder s, string text = "") => s.Append(text).Append('\n');
}
