using Headsup.Evaluation.Metrics;
using ScottPlot;

namespace Headsup.Evaluation.Reports;

/// <summary>
/// Renders the report's PNG plots with ScottPlot 5. ScottPlot draws no text on a Linux machine without a resolvable
/// font, so DejaVu Sans is registered from /usr/share/fonts/truetype/dejavu when present (fonts-dejavu-core).
/// </summary>
internal static class ReportPlots
{
    private const int Width = 800;
    private const int Height = 600;
    private const string FontFolder = "/usr/share/fonts/truetype/dejavu";
    private const string FontName = "DejaVu Sans";

    private static readonly Lazy<string?> s_font = new(RegisterFont, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Line colours of the subgroups' ROC curves, in the order of the groups.</summary>
    private static readonly Color[] s_groupColors = [Colors.DarkOrange, Colors.Purple, Colors.Teal, Colors.Brown, Colors.DarkGreen];

    public static byte[] Roc(RocCurve curve, MetricsDocument metrics, IReadOnlyList<(GroupSummary Group, RocCurve Curve)> groups)
    {
        var plot = NewPlot($"ROC curve, AUC {Format(metrics.Auc)} ({Level(metrics)} CI {Format(metrics.Ranking.Auc.Low)}–{Format(metrics.Ranking.Auc.High)})", "False positive rate (1 − specificity)", "True positive rate (sensitivity)");
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dashed;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";
        var (xs, ys) = Finite(curve.FalsePositiveRates, curve.TruePositiveRates);
        if (xs.Length > 0)
        {
            var line = plot.Add.ScatterLine(xs, ys);
            line.LineWidth = 2;
            line.Color = Colors.Navy;
            line.LegendText = $"{metrics.Model.Name} (n = {metrics.N}, positives = {metrics.Positives})";
        }

        for (int g = 0; g < groups.Count; g++)
        {
            var (group, groupCurve) = groups[g];
            var (gx, gy) = Finite(groupCurve.FalsePositiveRates, groupCurve.TruePositiveRates);
            if (gx.Length == 0 || group.Auc is null)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(gx, gy);
            line.LineWidth = 1.5f;
            line.LinePattern = LinePattern.Dotted;
            line.Color = s_groupColors[g % s_groupColors.Length];
            line.LegendText = $"{group.Name}: AUC {Format(group.Auc.Value)} (n = {group.N}, positives = {group.Positives})";
        }

        return Finish(plot, Alignment.LowerRight);
    }

    public static byte[] PrecisionRecall(PrecisionRecallCurve curve, MetricsDocument metrics)
    {
        var plot = NewPlot($"Precision–recall curve, AP {Format(metrics.AveragePrecision)} ({Level(metrics)} CI {Format(metrics.Ranking.AveragePrecision.Low)}–{Format(metrics.Ranking.AveragePrecision.High)})", "Recall (sensitivity)", "Precision (PPV)");
        if (double.IsFinite(metrics.Prevalence))
        {
            var baseline = plot.Add.HorizontalLine(metrics.Prevalence);
            baseline.LinePattern = LinePattern.Dashed;
            baseline.Color = Colors.Gray;
            baseline.LegendText = $"prevalence {Format(metrics.Prevalence)}";
        }

        var (xs, ys) = Finite(curve.Recalls, curve.Precisions);
        if (xs.Length > 0)
        {
            var line = plot.Add.Scatter(xs, ys);
            line.ConnectStyle = ConnectStyle.StepVertical;
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.Color = Colors.DarkGreen;
            line.LegendText = $"{metrics.Model.Name} (n = {metrics.N}, positives = {metrics.Positives})";
        }

        return Finish(plot, Alignment.LowerLeft);
    }

    public static byte[] Calibration(MetricsDocument metrics)
    {
        var plot = NewPlot($"Reliability diagram, ECE {Format(metrics.Ece)}, Brier {Format(metrics.Brier)}", "Mean predicted probability", "Observed frequency / fraction of rows");
        var bins = metrics.Calibration.Reliability;
        if (metrics.N > 0)
        {
            var bars = plot.Add.Bars(bins.Select(b => (b.Lower + b.Upper) / 2).ToArray(), bins.Select(b => (double)b.Count / metrics.N).ToArray());
            foreach (var bar in bars.Bars)
            {
                bar.Size = 0.9 / bins.Count;
                bar.FillColor = Colors.LightGray;
                bar.LineWidth = 0;
            }

            bars.LegendText = "fraction of rows in bin";
        }

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "perfect calibration";
        var filled = bins.Where(b => b.Count > 0).ToArray();
        if (filled.Length > 0)
        {
            var points = plot.Add.Scatter(filled.Select(b => b.MeanPredicted).ToArray(), filled.Select(b => b.ObservedFrequency).ToArray());
            points.LineWidth = 2;
            points.MarkerSize = 8;
            points.Color = Colors.DarkOrange;
            points.LegendText = "observed";
        }

        return Finish(plot, Alignment.UpperLeft);
    }

    private static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (s_font.Value is { } font)
        {
            plot.Font.Set(font);
        }

        plot.Title(title, size: 16);
        plot.XLabel(xLabel, size: 14);
        plot.YLabel(yLabel, size: 14);
        return plot;
    }

    private static byte[] Finish(Plot plot, Alignment legend)
    {
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(legend);
        plot.Legend.FontSize = 12;
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    private static (double[] X, double[] Y) Finite(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var keep = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
    }

    private static string Format(double value) => MarkdownReport.Format(value);

    private static string Level(MetricsDocument metrics) => MarkdownReport.Format(metrics.Intervals.ConfidenceLevel * 100, "0.#") + "%";

    private static string? RegisterFont()
    {
        var regular = Path.Combine(FontFolder, "DejaVuSans.ttf");
        var bold = Path.Combine(FontFolder, "DejaVuSans-Bold.ttf");
        if (!File.Exists(regular))
        {
            return null;
        }

        Fonts.AddFontFile(FontName, regular, bold: false, italic: false);
        if (File.Exists(bold))
        {
            Fonts.AddFontFile(FontName, bold, bold: true, italic: false);
        }

        return FontName;
    }
}
