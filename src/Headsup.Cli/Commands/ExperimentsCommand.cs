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
        var data = SharedOptions.Data("DICOM data with labels: RSNA stage_2_train.csv, a labels CSV or a phantom folder (repeatable)");
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
                if (!InputRecipe.TryParse(r, out _))
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

            AnsiConsole.Write(Table(rows));
            Console.WriteLine("Paper: Vertex AutoML on RSNA slices; only its best model's numbers are available (E4, 6,000 images). Ours: slice level, balanced test split, threshold 0.5, 95 % bootstrap CIs. NOT FOR CLINICAL USE.");
            if (parse.GetValue(output) is { } outDir)
            {
                var written = ExperimentReport.Write(outDir, rows, options);
                Console.WriteLine($"written: {string.Join(", ", written)}");
            }

            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static string Ci(MetricWithCi m) => ExperimentReport.Ci(m);

    private static string Paper(double? value) => ExperimentReport.Paper(value);

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
}
