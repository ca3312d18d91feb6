using System.Globalization;
using System.Text;
using Headsup.Core.IO;

namespace Headsup.Training.Search;

/// <summary>The paper's experiments as files: experiments.md (Table 2 with the paper's numbers beside ours) and experiments.csv.</summary>
public static class ExperimentReport
{
    /// <summary>Writes experiments.md and experiments.csv into <paramref name="outDir"/> (atomically); returns their paths.</summary>
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<ExperimentRow> rows, ExperimentOptions options) =>
        AtomicFile.WriteAll(outDir, [("experiments.md", Encoding.UTF8.GetBytes(Markdown(rows, options))), ("experiments.csv", Encoding.UTF8.GetBytes(Csv(rows)))]);

    /// <summary>A value with its CI, or "undefined".</summary>
    public static string Ci(MetricWithCi m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return double.IsNaN(m.Value) ? "undefined" : string.Create(CultureInfo.InvariantCulture, $"{m.Value:0.000} [{m.Low:0.000}–{m.High:0.000}]");
    }

    /// <summary>A paper value, or "n/r" (not reported).</summary>
    public static string Paper(double? value) => value is double v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/r";

    public static string Markdown(IReadOnlyList<ExperimentRow> rows, ExperimentOptions options)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# The paper's experiments, reproduced");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Protocol: balanced sample of N slices (N/2 per class), 90/10 split by patient, threshold 0.5; network {options.Training.Architecture} at {options.Training.Size}², up to {options.Training.Epochs} epochs, seed {options.Seed}. Slice level; 95 % percentile bootstrap CIs. \"n/r\": not reported in the text available to us.");
        sb.AppendLine();
        sb.AppendLine("| Experiment | Recipe | Images used/asked | Paper AP | Paper precision | Paper recall | Ours AP [95 % CI] | Ours precision | Ours recall | Ours AUC | Test n (positives) | Note |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            var paper = PaperExperiments.Paper.FirstOrDefault(p => p.Experiment == row.Experiment);
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {row.Experiment} | {row.Recipe} | {row.Used}/{row.Requested} | {Paper(paper?.AveragePrecision)} | {Paper(paper?.Precision)} | {Paper(paper?.Recall)} | {Ci(row.AveragePrecision)} | {Ci(row.Precision)} | {Ci(row.Recall)} | {Ci(row.Auc)} | {row.TestN} ({row.TestPositives}) | {row.Note} |");
        }

        sb.AppendLine();
        sb.AppendLine("NOT FOR CLINICAL USE — research software, not validated.");
        return sb.ToString();
    }

    public static string Csv(IReadOnlyList<ExperimentRow> rows)
    {
        var sb = new StringBuilder("experiment,recipe,requested,used,test_n,test_positives,ap,ap_low,ap_high,auc,auc_low,auc_high,precision,precision_low,precision_high,recall,recall_low,recall_high,seconds\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Experiment},{r.Recipe},{r.Requested},{r.Used},{r.TestN},{r.TestPositives},{r.AveragePrecision.Value:R},{r.AveragePrecision.Low:R},{r.AveragePrecision.High:R},{r.Auc.Value:R},{r.Auc.Low:R},{r.Auc.High:R},{r.Precision.Value:R},{r.Precision.Low:R},{r.Precision.High:R},{r.Recall.Value:R},{r.Recall.Low:R},{r.Recall.High:R},{r.Seconds:0.0}\n");
        }

        return sb.ToString();
    }
}
