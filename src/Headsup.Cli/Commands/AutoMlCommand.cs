using Headsup.Inputs;
using Headsup.Core.IO;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Dicom.Writing;
using Headsup.Models;
using Headsup.Training.Search;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup automl --data &lt;src&gt;... --budget 20m --out &lt;dir&gt;`: successive-halving search over recipe,
/// architecture/pretraining, input size, learning rate and augmentation inside a wall-time budget. Writes
/// &lt;out&gt;/leaderboard.csv and .json, and the best configuration as a model package in &lt;out&gt;/model.
/// </summary>
internal static class AutoMlCommand
{
    private static readonly string[] s_columns = ["#", "bracket", "rung", "epochs", "architecture", "recipe", "size", "lr", "aug", "val AP", "val AUC", "s"];
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled data (repeatable)");
        var budget = new Option<string>("--budget") { Description = "Wall-time budget, e.g. 90s, 20m, 2h", Required = true };
        var output = SharedOptions.Out("Output folder (leaderboard and model/)");
        var candidates = new Option<int>("--candidates") { Description = "Configurations at the first rung", DefaultValueFactory = _ => 9 };
        var eta = new Option<int>("--eta") { Description = "Keep 1/eta per rung; epochs grow by eta", DefaultValueFactory = _ => 3 };
        var minEpochs = new Option<int>("--min-epochs") { Description = "Epochs at the first rung", DefaultValueFactory = _ => 1 };
        var archs = new Option<string>("--archs") { Description = "Architectures to search (comma-separated)", DefaultValueFactory = _ => "small-cnn,resnet18,resnet18-imagenet,resnet34" };
        var recipes = new Option<string>("--recipes") { Description = "Recipes to search (HU recipes are dropped for PNG/JPEG data)", DefaultValueFactory = _ => "gray-brain,e1,e2,e3,e4,context" };
        var sizes = new Option<string>("--sizes") { Description = "Input sizes to search", DefaultValueFactory = _ => "128,192,256" };
        var synthetic = new Option<double>("--synthetic-per-negative") { Description = "Synthetic positives per training negative", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var command = new Command("automl", "Search recipes, networks and hyper-parameters within a time budget (successive halving)")
        {
            data, budget, output, candidates, eta, minEpochs, archs, recipes, sizes, synthetic, seed,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new AutoMlOptions
            {
                Budget = DurationParser.Parse(parse.GetValue(budget)!),
                Candidates = Math.Clamp(parse.GetValue(candidates), 1, 1000),
                Eta = Math.Clamp(parse.GetValue(eta), 2, 10),
                MinEpochs = Math.Clamp(parse.GetValue(minEpochs), 1, 100),
                Architectures = List(parse.GetValue(archs)!, Models.Networks.NetworkFactory.Architectures, "--archs"),
                Recipes = List(parse.GetValue(recipes)!, InputRecipe.Names, "--recipes"),
                Sizes = List(parse.GetValue(sizes)!, null, "--sizes").Select(s => int.TryParse(s, CultureInfo.InvariantCulture, out var v) && v is >= 64 and <= 1024 ? v : throw new UsageException($"--sizes: '{s}' is not a size between 64 and 1024")).ToList(),
                SyntheticPositivesPerNegative = parse.GetValue(synthetic),
                Seed = parse.GetValue(seed),
            };
            var sources = parse.GetValue(data)!;
            var dataset = DataArguments.Load(sources);
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var observer = new ConsoleTrainingObserver();
            AutoMlResult result;
            try
            {
                result = AutoMlSearch.Run(dataset.Samples, sources, options, Path.Combine(outDir, "model"), observer, trial =>
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trial {trial.Id} (bracket {trial.Bracket}, rung {trial.Rung}, {trial.Epochs} epochs): {trial.Config} → validation AP {trial.ValidationAp:0.000} in {trial.Seconds:0} s")), cancellationToken);
            }
            catch (Exception ex) when (ex is ModelException or DatasetException or InputException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            Leaderboard.Write(outDir, result);
            var table = new Table().Title("AutoML leaderboard (validation AP, slice level)");
            foreach (var column in s_columns)
            {
                table.AddColumn(column);
            }

            foreach (var t in result.Leaderboard)
            {
                table.AddRow(new[]
                {
                    t.Id.ToString(CultureInfo.InvariantCulture), t.Bracket.ToString(CultureInfo.InvariantCulture), t.Rung.ToString(CultureInfo.InvariantCulture), t.Epochs.ToString(CultureInfo.InvariantCulture),
                    t.Config.Architecture, t.Config.Recipe, t.Config.Size.ToString(CultureInfo.InvariantCulture),
                    t.Config.LearningRate.ToString("0.0e0", CultureInfo.InvariantCulture), t.Config.Augmentation.ToString("0.0", CultureInfo.InvariantCulture),
                    t.ValidationAp.ToString("0.000", CultureInfo.InvariantCulture), t.ValidationAuc.ToString("0.000", CultureInfo.InvariantCulture), t.Seconds.ToString("0", CultureInfo.InvariantCulture),
                }.Select(Markup.Escape).ToArray());
            }

            AnsiConsole.Write(table);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best: trial {result.Best.Id}, {result.Best.Config}; {result.Leaderboard.Count} trials in {result.Elapsed.TotalSeconds:0} s of a {options.Budget.TotalSeconds:0} s budget"));
            TrainCommand.PrintSummary(result.BestModel, Path.Combine(outDir, "model"));
            result.BestModel.Outcome.Network.Dispose();
            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static List<string> List(string text, IReadOnlyList<string>? allowed, string option)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (items.Count == 0)
        {
            throw new UsageException($"{option} is empty");
        }

        foreach (var item in items)
        {
            if (allowed is not null && !allowed.Contains(item))
            {
                throw new UsageException($"{option}: '{item}' is not one of {string.Join(", ", allowed)}");
            }
        }

        return items;
    }
}
