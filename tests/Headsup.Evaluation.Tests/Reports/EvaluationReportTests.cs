using System.Text;
using System.Text.Json;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Metrics;
using Headsup.Evaluation.Reports;
using Headsup.Testing;
using Xunit;

namespace Headsup.Evaluation.Tests.Reports;

public sealed class EvaluationReportTests
{
    private static readonly string[] s_subtypes = ["epidural", "subdural"];

    private static EvaluationReportOptions Options => new(EvaluationLevel.Study, "headsup-resnet", "1.0.0+abc123", "synthetic test split")
    {
        OperatingPointThreshold = 0.3,
        OperatingPointDescription = "validation sensitivity 0.90",
        SubtypeNames = s_subtypes,
        Bootstrap = new BootstrapOptions(Resamples: 200, Seed: 5),
    };

    private static List<EvaluationRow> Rows(int n = 300)
    {
        var c = Fixtures.Random("rows", n, seed: 21);
        var random = new Random(8);
        return [.. Enumerable.Range(0, n).Select(i =>
        {
            int[] subtypeLabels = [c.Labels[i] == 1 && random.NextDouble() < 0.4 ? 1 : 0, c.Labels[i] == 1 && random.NextDouble() < 0.7 ? 1 : 0];
            double[] subtypeProbabilities = [.. subtypeLabels.Select(l => Math.Clamp((0.4 * l) + (0.6 * random.NextDouble()), 0, 1))];
            return new EvaluationRow(i == 0 ? "study \"0\", a" : $"study-{i:D4}", c.Labels[i], c.Scores[i], subtypeProbabilities, subtypeLabels);
        })];
    }

    [Fact]
    public void WriteTo_WritesAllFiles_JsonParses_PngsValid()
    {
        using var temp = TestData.CreateTempFolder();
        var outDir = Path.Combine(temp.Path, "eval");
        var rows = Rows();
        var report = EvaluationReport.Create(rows, Options);
        var written = report.WriteTo(outDir);

        Assert.Equal(EvaluationReport.FileNames, written.Select(Path.GetFileName));
        Assert.Equal(EvaluationReport.FileNames.Order(), Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "metrics.json")));
        var root = json.RootElement;
        var labels = rows.Select(r => r.Label).ToArray();
        var scores = rows.Select(r => r.Probability).ToArray();
        Assert.Equal("study", root.GetProperty("level").GetString());
        Assert.Equal(300, root.GetProperty("n").GetInt32());
        Assert.Equal(labels.Sum(), root.GetProperty("positives").GetInt32());
        Assert.Equal(labels.Average(), root.GetProperty("prevalence").GetDouble(), 15);
        Assert.True(root.GetProperty("not_for_clinical_use").GetBoolean());
        Assert.Equal(RankingMetrics.RocAuc(scores, labels), root.GetProperty("auc").GetDouble());
        Assert.Equal(RankingMetrics.AveragePrecision(scores, labels), root.GetProperty("average_precision").GetDouble());
        var atHalf = ThresholdMetrics.Compute(scores, labels, 0.5);
        Assert.Equal(atHalf.Precision, root.GetProperty("precision").GetDouble());
        Assert.Equal(atHalf.Recall, root.GetProperty("recall").GetDouble());
        Assert.Equal(atHalf.F1, root.GetProperty("f1").GetDouble());
        Assert.Equal(atHalf.Specificity, root.GetProperty("specificity").GetDouble());
        Assert.Equal(atHalf.TruePositives, root.GetProperty("at_threshold").GetProperty("tp").GetInt64());
        var auc = root.GetProperty("ranking").GetProperty("auc");
        Assert.InRange(auc.GetProperty("value").GetDouble(), auc.GetProperty("ci_low").GetDouble(), auc.GetProperty("ci_high").GetDouble());
        Assert.Equal(0.3, root.GetProperty("at_operating_point").GetProperty("threshold").GetDouble());
        Assert.Equal("validation sensitivity 0.90", root.GetProperty("at_operating_point").GetProperty("source").GetString());
        Assert.Equal(0.9, root.GetProperty("sensitivity_at_specificity_0.90").GetProperty("target_specificity").GetDouble());
        Assert.True(root.GetProperty("sensitivity_at_specificity_0.95").GetProperty("sensitivity").GetDouble() >= 0);
        Assert.True(root.GetProperty("ece").GetDouble() >= 0);
        Assert.True(root.GetProperty("brier").GetDouble() > 0);
        Assert.Equal(10, root.GetProperty("calibration").GetProperty("reliability").GetArrayLength());
        var subtype = root.GetProperty("subtypes")[1];
        Assert.Equal("subdural", subtype.GetProperty("name").GetString());
        Assert.Equal(
            RankingMetrics.RocAuc(rows.Select(r => r.SubtypeProbabilities![1]).ToArray(), rows.Select(r => r.SubtypeLabels![1]).ToArray()),
            subtype.GetProperty("auc").GetProperty("value").GetDouble());

        foreach (var png in new[] { "roc.png", "pr.png", "calibration.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(outDir, png));
            Assert.True(bytes.AsSpan().StartsWith((byte[])[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]), png);
            Assert.True(bytes.Length > 20_000, $"{png} is only {bytes.Length} bytes");
        }

        var markdown = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("NOT FOR CLINICAL USE — research software, not validated.", markdown, StringComparison.Ordinal);
        Assert.Contains("![ROC curve](roc.png)", markdown, StringComparison.Ordinal);
        Assert.Contains("| subdural |", markdown, StringComparison.Ordinal);
        Assert.Contains("Operating point 0.300", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteTo_PredictionsCsv_HeaderEscapingAndRoundTrip()
    {
        using var temp = TestData.CreateTempFolder();
        var rows = Rows(20);
        EvaluationReport.Create(rows, Options).WriteTo(temp.Path);
        var lines = File.ReadAllLines(Path.Combine(temp.Path, "predictions.csv"));
        Assert.Equal("file,label,probability,epidural_probability,subdural_probability,epidural_label,subdural_label", lines[0]);
        Assert.Equal(21, lines.Length);
        Assert.StartsWith("\"study \"\"0\"\", a\",", lines[1], StringComparison.Ordinal);
        var fields = lines[2].Split(',');
        Assert.Equal("study-0001", fields[0]);
        Assert.Equal(rows[1].Probability, double.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Create_OneClass_WritesNullsNotExceptions()
    {
        using var temp = TestData.CreateTempFolder();
        var rows = new[] { new EvaluationRow("a", 0, 0.2), new EvaluationRow("b", 0, 0.7), new EvaluationRow("c", 0, 0.4) };
        var report = EvaluationReport.Create(rows, new EvaluationReportOptions(EvaluationLevel.Slice, "m", "v", "d") { Bootstrap = new(Resamples: 50) });
        report.WriteTo(temp.Path);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(temp.Path, "metrics.json")));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("auc").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("average_precision").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("recall").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ranking").GetProperty("auc").GetProperty("ci_low").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("at_operating_point").ValueKind);
        Assert.Equal(2.0 / 3, root.GetProperty("specificity").GetDouble(), 15);
        Assert.Equal("slice", root.GetProperty("level").GetString());
        Assert.Empty(root.GetProperty("subtypes").EnumerateArray());
        Assert.True(File.Exists(Path.Combine(temp.Path, "roc.png")));
    }

    [Fact]
    public void MetricsJson_RoundTrips_NaNAsNull()
    {
        var report = EvaluationReport.Create(Rows(50), Options);
        var bytes = MetricsJson.Serialize(report.Metrics);
        var back = MetricsJson.Deserialize(bytes);
        Assert.Equal(report.Metrics.Auc, back.Auc);
        Assert.Equal(report.Metrics.AtThreshold, back.AtThreshold);
        Assert.Equal(bytes, MetricsJson.Serialize(back));
    }

    [Fact]
    public void Create_SameInput_SameMetricsJson()
    {
        var a = MetricsJson.Serialize(EvaluationReport.Create(Rows(), Options).Metrics);
        var b = MetricsJson.Serialize(EvaluationReport.Create(Rows(), Options).Metrics);
        Assert.Equal(Encoding.UTF8.GetString(a), Encoding.UTF8.GetString(b));
    }

    [Fact]
    public void WriteTo_OutputDirectoryIsAFile_ThrowsTypedAndLeavesItAlone()
    {
        using var temp = TestData.CreateTempFolder();
        var path = Path.Combine(temp.Path, "not-a-folder");
        File.WriteAllText(path, "keep");
        var report = EvaluationReport.Create(Rows(30), Options);
        Assert.Throws<EvaluationOutputException>(() => report.WriteTo(path));
        Assert.Equal("keep", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void WriteTo_FolderInTheWay_ThrowsAndWritesNothing()
    {
        using var temp = TestData.CreateTempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "report.md"));
        var report = EvaluationReport.Create(Rows(30), Options);
        Assert.Throws<EvaluationOutputException>(() => report.WriteTo(temp.Path));
        Assert.Equal([Path.Combine(temp.Path, "report.md")], Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Create_InvalidRows_Throw()
    {
        var options = new EvaluationReportOptions(EvaluationLevel.Slice, "m", "v", "d");
        Assert.Throws<ArgumentException>(() => EvaluationReport.Create([new EvaluationRow("a", 1, 1.5)], options));
        Assert.Throws<ArgumentException>(() => EvaluationReport.Create([new EvaluationRow("a", 3, 0.5)], options));
        Assert.Throws<ArgumentException>(() => EvaluationReport.Create([new EvaluationRow("a", 1, 0.5)], options with { SubtypeNames = ["x"] }));
    }

    [Fact]
    public void Create_RowsWithGroups_ReportsEachGroupAsItsOwnRows()
    {
        // Independent reference: each group's AUC by counting ordered pairs (Mann–Whitney), and each group's numbers equal
        // to those of a report made from that group's rows alone; rows in no group count in the whole, in no group.
        var rows = Rows(240).Select((r, i) => r with { SubtypeProbabilities = null, SubtypeLabels = null, Group = (i % 5) switch { 0 or 1 => "mid-head", 2 or 3 => "skull base or vertex", _ => null } }).ToList();
        rows.Add(new EvaluationRow("all negative", 0, 0.9, Group: "vertex only"));
        rows.Add(new EvaluationRow("all negative 2", 0, 0.1, Group: "vertex only"));
        var options = new EvaluationReportOptions(EvaluationLevel.Slice, "m", "v", "d")
        {
            OperatingPointThreshold = 0.3,
            OperatingPointDescription = "validation sensitivity 0.90",
            Bootstrap = new BootstrapOptions(Resamples: 300, Seed: 5),
            GroupedBy = "head_level",
            GroupNote = "by the intracranial area",
            GroupOrder = ["skull base or vertex", "mid-head"],
        };
        var report = EvaluationReport.Create(rows, options);
        var groups = Assert.IsType<GroupsSummary>(report.Metrics.Groups);
        Assert.Equal("head_level", groups.By);
        Assert.Equal(rows.Count(r => r.Group is null), groups.Ungrouped);
        Assert.Equal(["skull base or vertex", "mid-head", "vertex only"], groups.Items.Select(g => g.Name));
        Assert.Equal(rows.Count, report.Metrics.N);

        foreach (var g in groups.Items.Take(2))
        {
            var members = rows.Where(r => r.Group == g.Name).ToList();
            Assert.Equal(members.Count, g.N);
            Assert.Equal(members.Count(r => r.Label == 1), g.Positives);
            var positives = members.Where(r => r.Label == 1).Select(r => r.Probability).ToList();
            var negatives = members.Where(r => r.Label == 0).Select(r => r.Probability).ToList();
            double pairs = positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0.0));
            Assert.Equal(pairs / (positives.Count * negatives.Count), g.Auc!.Value, 12);

            var alone = EvaluationReport.Create(members.Select(r => r with { Group = null }).ToList(), options).Metrics;
            Assert.Null(alone.Groups);
            Assert.Equal(alone.Ranking.Auc, g.Auc);
            Assert.Equal(alone.Ranking.AveragePrecision, g.AveragePrecision);
            Assert.Equal(alone.AtThreshold, g.AtThreshold);
            Assert.Equal(alone.AtOperatingPoint, g.AtOperatingPoint);
            Assert.Equal(negatives.Count(n => n < 0.3), g.AtOperatingPoint!.Tn);
        }

        // A group with one class has no ranking, and says so rather than failing.
        var oneClass = groups.Items[2];
        Assert.Null(oneClass.Auc);
        Assert.Null(oneClass.AveragePrecision);
        Assert.Equal(1, oneClass.AtOperatingPoint!.Fp);

        using var temp = TestData.CreateTempFolder();
        report.WriteTo(temp.Path);
        var lines = File.ReadAllLines(Path.Combine(temp.Path, "predictions.csv"));
        Assert.Equal("file,label,probability,head_level", lines[0]);
        Assert.Equal(rows.Select(r => r.Group ?? string.Empty), lines.Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..]));
        var md = File.ReadAllText(Path.Combine(temp.Path, "report.md"));
        Assert.Contains("## By head_level", md, StringComparison.Ordinal);
        Assert.Contains("by the intracranial area", md, StringComparison.Ordinal);
        Assert.Contains("| vertex only | 2 | 0 | 0.000 | n/a (one class) |", md, StringComparison.Ordinal);
        var back = MetricsJson.Deserialize(File.ReadAllBytes(Path.Combine(temp.Path, "metrics.json")));
        Assert.Equal(groups.Items.Select(g => (g.Name, g.N, g.Positives, g.AtOperatingPoint)), back.Groups!.Items.Select(g => (g.Name, g.N, g.Positives, g.AtOperatingPoint)));

        // Without groups nothing changes: no column, no section, "groups": null.
        using var plain = TestData.CreateTempFolder();
        EvaluationReport.Create(rows.Select(r => r with { Group = null }).ToList(), options).WriteTo(plain.Path);
        Assert.Equal("file,label,probability", File.ReadLines(Path.Combine(plain.Path, "predictions.csv")).First());
        Assert.DoesNotContain("## By", File.ReadAllText(Path.Combine(plain.Path, "report.md")), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(plain.Path, "metrics.json")));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("groups").ValueKind);

        // roc.png draws each group with both classes beside the whole: the two plots differ.
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(plain.Path, "roc.png")), File.ReadAllBytes(Path.Combine(temp.Path, "roc.png")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(plain.Path, "pr.png")), File.ReadAllBytes(Path.Combine(temp.Path, "pr.png")));
    }
}
