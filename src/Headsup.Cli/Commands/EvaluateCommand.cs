using Headsup.Inputs;
using Headsup.Training.Evaluation;
using Headsup.Core.Progress;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Evaluation.Intervals;
using Headsup.Evaluation.Reports;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Triage;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup evaluate [--model &lt;dir|zip&gt;] --data &lt;src&gt;... [--level slice|study] --out &lt;dir&gt;`: scores labelled
/// data with a model package (default: the shipped model) and writes metrics.json, predictions.csv, PR/ROC/calibration
/// plots and report.md. At study level, DICOM studies are scored exactly as detect scores them (series selection, slices
/// with little brain left out, study calibration); display images are grouped by study id and aggregated.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>Below this many rows the printout warns that the intervals are wide.</summary>
    private const int SmallN = 100;

    public static Command Create()
    {
        var model = SharedOptions.Model();
        var data = SharedOptions.Data("Labelled data: labels CSV, RSNA stage_2_train.csv, phantom folder or manifest (repeatable)");
        var level = new Option<string>("--level") { Description = "slice or study", DefaultValueFactory = _ => "slice" };
        level.AcceptOnlyFromAmong("slice", "study");
        var output = SharedOptions.Out();
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for the 95 % CIs", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Bootstrap seed", DefaultValueFactory = _ => 1 };
        var split = new Option<string?>("--split") { Description = "Only rows of this split (train, validation, test) of a manifest" };
        var source = new Option<string?>("--source") { Description = "Only rows of this source (e.g. head-ct-dev)" };
        var protocol = new Option<string?>("--protocol") { Description = "leave-one-source-out: hold each --data source out once, train on the others, score it (what to expect on a new site)" };
        protocol.AcceptOnlyFromAmong(TransferProtocol.LeaveOneSourceOut);
        var trainLike = new Option<string?>("--train-like") { Description = "With --protocol: train every fold with the options this package recorded (default: the shipped model)" };
        var set = new Option<string[]>("--set") { Description = "With --protocol: override a training option, key=value as in model.json training.options (e.g. epochs=8); repeatable", AllowMultipleArgumentsPerToken = true };
        var holdOut = new Option<string[]>("--hold-out") { Description = "With --protocol: hold out only these sources (by name: the labels CSV's folder, or the folder), each still trained on all the others; repeatable", AllowMultipleArgumentsPerToken = true };
        var command = new Command("evaluate", "Score labelled data with a model and write metrics, plots and a report")
        {
            model, data, level, output, resamples, seed, split, source, protocol, trainLike, set, holdOut,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(protocol) is not null)
            {
                if (parse.GetValue(model) is not null || parse.GetValue(level) == "study" || parse.GetValue(split) is not null || parse.GetValue(source) is not null)
                {
                    throw new UsageException("--protocol trains its own models and scores slices (and DICOM studies) of each held-out source: it takes --data, --train-like, --set, --bootstrap, --seed and --out, not --model, --level, --split or --source");
                }

                return Task.FromResult(TransferProtocol.Run(parse.GetValue(data)!, parse.GetValue(trainLike), parse.GetValue(set) ?? [], parse.GetValue(holdOut) ?? [], parse.GetValue(output)!, new BootstrapOptions(parse.GetValue(resamples), (ulong)parse.GetValue(seed)), cancellationToken));
            }

            var location = ModelLocator.Resolve(parse.GetValue(model));
            var sources = parse.GetValue(data)!;
            bool study = parse.GetValue(level) == "study";
            var dataset = DataArguments.Load(sources, keepStudyLabelledRows: study, split: parse.GetValue(split), source: parse.GetValue(source));
            ModelPackage package;
            try
            {
                package = ModelPackage.Load(location);
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            using (package)
            {
                var observer = new ConsoleTrainingObserver();
                var request = new EvaluationRequest(study, sources, new BootstrapOptions(parse.GetValue(resamples), (ulong)parse.GetValue(seed)));
                EvaluationOutcome outcome;
                try
                {
                    outcome = PackageEvaluation.Run(package, dataset, request, s => observer.Stage(s.Description, s.Total), new SyncProgress<int>(observer.Advance), cancellationToken);
                }
                catch (ArgumentException ex)
                {
                    throw new UsageException(ex.Message);
                }
                catch (ModelException ex)
                {
                    Console.Error.WriteLine("error: " + ex.Message);
                    return Task.FromResult(ExitCodes.CouldNotRun);
                }

                foreach (var p in outcome.Problems)
                {
                    observer.Problem(p);
                }

                var outDir = parse.GetValue(output)!;
                outcome.Report.WriteTo(outDir);
                Print(outcome.Report, outDir);
                if (outcome.Problems.Count > 0)
                {
                    return Task.FromResult(ExitCodes.SomeInputsFailed);
                }
            }

            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static void Print(EvaluationReport report, string outDir)
    {
        var m = report.Metrics;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluation written to {outDir}"));
        static string Ci(ConfidenceInterval c) => string.Create(CultureInfo.InvariantCulture, $"{c.Value:0.000} [{c.Low:0.000}, {c.High:0.000}]");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  level {m.Level}: n {m.N}, positives {m.Positives} (prevalence {m.Prevalence:0.000})"));
        Console.WriteLine($"  AUC {Ci(m.Ranking.Auc)}   AP {Ci(m.Ranking.AveragePrecision)}   (95 % bootstrap CI)");
        if (m.N < SmallN)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  small n ({m.N} {(m.Level == "study" ? "studies" : "slices")}): the 95 % CIs are wide; read the intervals, not the point values"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  at {m.Threshold:0.00}: precision {m.Precision:0.000}, recall {m.Recall:0.000}, specificity {m.Specificity:0.000}, F1 {m.F1:0.000}; ECE {m.Ece:0.000}"));
        if (m.AtOperatingPoint is { } op)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  at the operating point {op.Threshold:0.000}: precision {Ci(op.Precision)}, recall {Ci(op.Recall)}, specificity {Ci(op.Specificity)}"));
        }
        if (m.Groups is { } groups)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  by {groups.By}{(groups.Ungrouped > 0 ? $" ({groups.Ungrouped} in none)" : string.Empty)}:"));
            foreach (var g in groups.Items)
            {
                var at = g.AtOperatingPoint ?? g.AtThreshold;
                var auc = g.Auc is null ? "AUC n/a (one class)" : "AUC " + Ci(g.Auc);
                var rates = (g.Positives > 0 ? "sensitivity " + Ci(at.Recall) : string.Empty) + (g.Positives > 0 && g.N > g.Positives ? ", " : string.Empty) + (g.N > g.Positives ? "specificity " + Ci(at.Specificity) : string.Empty);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {g.Name}: n {g.N}, positives {g.Positives}: {auc}; at {at.Threshold:0.000}: {rates}"));
            }
        }

        Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
    }
}
