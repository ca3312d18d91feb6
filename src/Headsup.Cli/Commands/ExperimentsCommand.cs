using Headsup.Inputs;
using Headsup.Core.IO;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Dicom.Writing;
using Headsup.Models;
using Headsup.Training.Search;
using Headsup.Training;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup experiments --data &lt;rsna-or-csv&gt;... [--sizes 2000,6000] [--out dir]`: the paper's E1–E4 (and our 2.5D
/// context) under its protocol — balanced N, 90/10 patient split, threshold 0.5 — printed as a table beside the
/// paper's reported numbers, with 95 % bootstrap CIs that the paper does not give.
/// </summary>
internal static class ExperimentsCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "DICOM data with labels: RSNA stage_2_train.csv, a labels CSV or a phantom folder (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var sizes = new Option<string>("--sizes") { Description = "Balanced image counts (paper: 2000,6000)", DefaultValueFactory = _ => "2000,6000" };
        var recipes = new Option<string>("--recipes") { Description = "Recipes to run", DefaultValueFactory = _ => "e1,e2,e3,e4,context" };
        var arch = new Option<string>("--arch") { Description = "Network for every experiment", DefaultValueFactory = _ => "resnet18-imagenet" };
        var size = new Option<int>("--size") { Description = "Input size", DefaultValueFactory = _ => 224 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs per experiment", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Folder for experiments.csv and experiments.md" };
        var command = new Command("experiments", "Run the paper's experiments E1–E4 (+ context) and compare with its Table 2")
        {
            data, sizes, recipes, arch, size, epochs, seed, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var sizeList = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, CultureInfo.InvariantCulture, out var v) && v >= 4 ? v : throw new UsageException($"--sizes: '{s}' is not a count ≥ 4")).ToList();
            var recipeList = parse.GetValue(recipes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            foreach (var r in recipeList)
            {
                if (r is not ("e1" or "e2" or "e3" or "e4" or "context" or "gray-brain"))
                {
                    throw new UsageException($"--recipes: '{r}' is not a recipe");
                }
            }

            var options = new ExperimentOptions
            {
                Sizes = sizeList,
                Recipes = recipeList,
                Seed = parse.GetValue(seed),
                Training = new TrainingOptions { Architecture = parse.GetValue(arch)!, Size = parse.GetValue(size), Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed) },
            };
            var sources = parse.GetValue(data)!;
            var dataset = DataArguments.Load(sources);
            var observer = new ConsoleTrainingObserver();
            IReadOnlyList<ExperimentRow> rows;
            try
            {
                rows = PaperExperiments.Run(dataset.Samples, options, observer, row =>
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Experiment} at {row.Requested}: AP {row.AveragePrecision.Value:0.000}, precision {row.Precision.Value:0.000}, recall {row.Recall.Value:0.000} on {row.TestN} test slices")), cancellationToken);
            }
            catch (Exception ex) when (ex is ModelException or DatasetException or InputException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            var markdown = Markdown(rows, options);
            AnsiConsole.Write(Table(rows));
            Console.WriteLine("Paper: Vertex AutoML on RSNA slices; only its best model's numbers are available (E4, 6,000 images). Ours: slice level, balanced test split, threshold 0.5, 95 % bootstrap CIs. NOT FOR CLINICAL USE.");
            if (parse.GetValue(output) is { } outDir)
            {
                Directory.CreateDirectory(outDir);
                AtomicFile.Write(Path.Combine(outDir, "experiments.md"), s => s.Write(Encoding.UTF8.GetBytes(markdown)));
                AtomicFile.Write(Path.Combine(outDir, "experiments.csv"), s => s.Write(Encoding.UTF8.GetBytes(Csv(rows))));
                Console.WriteLine($"written: {Path.Combine(outDir, "experiments.md")}, experiments.csv");
            }

            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static string Ci(MetricWithCi m) => double.IsNaN(m.Value) ? "undefined" : string.Create(CultureInfo.InvariantCulture, $"{m.Value:0.000} [{m.Low:0.000}–{m.High:0.000}]");

    private static string Paper(double? value) => value is double v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "n/r";

    private static Table Table(IReadOnlyList<ExperimentRow> rows)
    {
        var table = new Table().Title("Table 2, reproduced: paper (Vertex AutoML, RSNA) vs HEADS UP (this data)");
        foreach (var c in new[] { "Experiment", "Images", "Paper AP", "Paper P", "Paper R", "Ours AP [95 % CI]", "Ours P", "Ours R", "AUC", "Test n (pos)" })
        {
            table.AddColumn(Markup.Escape(c));
        }

        foreach (var row in rows)
        {
            var paper = PaperExperiments.Paper.FirstOrDefault(p => p.Experiment == row.Experiment);
            string[] cells =
            [
                row.Experiment, $"{row.Used}/{row.Requested}", Paper(paper?.AveragePrecision), Paper(paper?.Precision), Paper(paper?.Recall),
                Ci(row.AveragePrecision), Ci(row.Precision), Ci(row.Recall), Ci(row.Auc), $"{row.TestN} ({row.TestPositives})",
            ];
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    private static string Markdown(IReadOnlyList<ExperimentRow> rows, ExperimentOptions options)
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

    private static string Csv(IReadOnlyList<ExperimentRow> rows)
    {
        var sb = new StringBuilder("experiment,recipe,requested,used,test_n,test_positives,ap,ap_low,ap_high,auc,auc_low,auc_high,precision,precision_low,precision_high,recall,recall_low,recall_high,seconds\n");
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Experiment},{r.Recipe},{r.Requested},{r.Used},{r.TestN},{r.TestPositives},{r.AveragePrecision.Value:R},{r.AveragePrecision.Low:R},{r.AveragePrecision.High:R},{r.Auc.Value:R},{r.Auc.Low:R},{r.Auc.High:R},{r.Precision.Value:R},{r.Precision.Low:R},{r.Precision.High:R},{r.Recall.Value:R},{r.Recall.Low:R},{r.Recall.High:R},{r.Seconds:0.0}\n");
        }

        return sb.ToString();
    }
}
