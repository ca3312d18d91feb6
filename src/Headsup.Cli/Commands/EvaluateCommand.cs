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
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model package folder or zip (default: the shipped model, models/default)" };
        var data = new Option<string[]>("--data") { Description = "Labelled data: labels CSV, RSNA stage_2_train.csv, phantom folder or manifest (repeatable)", Required = true, AllowMultipleArgumentsPerToken = true };
        var level = new Option<string>("--level") { Description = "slice or study", DefaultValueFactory = _ => "slice" };
        level.AcceptOnlyFromAmong("slice", "study");
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for the 95 % CIs", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "Bootstrap seed", DefaultValueFactory = _ => 1 };
        var split = new Option<string?>("--split") { Description = "Only rows of this split (train, validation, test) of a manifest" };
        var source = new Option<string?>("--source") { Description = "Only rows of this source (e.g. head-ct-dev)" };
        var command = new Command("evaluate", "Score labelled data with a model and write metrics, plots and a report")
        {
            model, data, level, output, resamples, seed, split, source,
        };
        command.SetAction((parse, cancellationToken) =>
        {
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
                var manifest = package.Manifest;
                if (manifest.Input.Recipe != "gray-brain" && dataset.Samples.Any(s => s.Format != ImageFormat.Dicom))
                {
                    throw new UsageException($"the model's recipe {manifest.Input.Recipe} needs Hounsfield units, but the data has PNG/JPEG images");
                }

                var observer = new ConsoleTrainingObserver();
                var problems = new List<SampleProblem>();
                IReadOnlyList<ScoredRow> rows;
                bool studyPipeline = study && dataset.Samples.All(s => s.Format == ImageFormat.Dicom);
                try
                {
                    if (studyPipeline)
                    {
                        // DICOM studies are scored exactly as `headsup detect` scores them (series selection, slices with
                        // little brain left out, the package's study calibration).
                        observer.Stage($"scoring labelled studies with {manifest.Name} {manifest.Version} as detect does", Math.Max(1, dataset.Samples.Select(s => s.StudyId).Distinct().Count()));
                        using var triager = new StudyTriager(package);
                        rows = StudyCalibration.Score(triager, dataset.Samples, TriageOptions.Default, new SyncProgress<int>(observer.Advance), cancellationToken)
                            .Select(r => new ScoredRow(r.StudyInstanceUid, r.Label, r.Probability, r.Subtypes, r.Slices)).ToList();
                    }
                    else
                    {
                        observer.Stage($"scoring {dataset.Samples.Count} slices with {manifest.Name} {manifest.Version} ({manifest.Architecture}, {manifest.Input.Recipe} {manifest.Input.Size}²)", dataset.Samples.Count);
                        rows = ModelEvaluator.ScoreSlices(package, dataset.Samples, problems, new SyncProgress<int>(observer.Advance), cancellationToken);
                    }
                }
                catch (ModelException ex)
                {
                    Console.Error.WriteLine("error: " + ex.Message);
                    return Task.FromResult(ExitCodes.CouldNotRun);
                }

                foreach (var p in problems)
                {
                    observer.Problem(p);
                }

                if (study && !studyPipeline)
                {
                    rows = ModelEvaluator.ToStudies(rows, dataset.Samples, manifest.Study);
                }

                if (rows.Count == 0)
                {
                    Console.Error.WriteLine("error: nothing could be scored");
                    return Task.FromResult(ExitCodes.CouldNotRun);
                }

                var subtypeNames = manifest.Outputs.Skip(1).ToList();
                var labelsByFile = dataset.Samples.GroupBy(s => s.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
                var evaluationRows = rows.Select(r => new EvaluationRow(
                    Display(r.Id, sources),
                    r.Label,
                    r.Probability,
                    subtypeNames.Count > 0 ? subtypeNames.Select(n => r.Subtypes[n]).ToList() : null,
                    !study && subtypeNames.Count > 0 && labelsByFile.TryGetValue(r.Id, out var s) && s.Subtypes.All(v => v is not null)
                        ? s.Subtypes.Select(v => v!.Value).ToList()
                        : null)).ToList();
                if (evaluationRows.Any(r => r.SubtypeLabels is null))
                {
                    evaluationRows = evaluationRows.Select(r => r with { SubtypeLabels = null }).ToList();
                }

                double operatingPoint = study ? manifest.Study.Threshold : manifest.Thresholds.OperatingPoint;
                var options = new EvaluationReportOptions(
                    study ? EvaluationLevel.Study : EvaluationLevel.Slice,
                    manifest.Name,
                    manifest.Version,
                    $"{string.Join(", ", sources)}: {rows.Count} {(study ? "studies" : "slices")}")
                {
                    OperatingPointThreshold = operatingPoint,
                    OperatingPointDescription = study ? $"study threshold of the package ({manifest.Study.Method}, k = {manifest.Study.K})" : manifest.Thresholds.OperatingPointRule,
                    SubtypeNames = subtypeNames,
                    Bootstrap = new BootstrapOptions(parse.GetValue(resamples), (ulong)parse.GetValue(seed)),
                };
                var report = EvaluationReport.Create(evaluationRows, options, cancellationToken);
                var outDir = parse.GetValue(output)!;
                report.WriteTo(outDir);
                Print(report, outDir);
            }

            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static string Display(string file, IReadOnlyList<string> sources)
    {
        foreach (var source in sources)
        {
            var root = Directory.Exists(source) ? source : Path.GetDirectoryName(Path.GetFullPath(source)) ?? string.Empty;
            var full = Path.GetFullPath(root);
            if (file.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return Path.GetRelativePath(full, file);
            }
        }

        return file;
    }

    private static void Print(EvaluationReport report, string outDir)
    {
        var m = report.Metrics;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluation written to {outDir}"));
        static string Ci(ConfidenceInterval c) => string.Create(CultureInfo.InvariantCulture, $"{c.Value:0.000} [{c.Low:0.000}, {c.High:0.000}]");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  level {m.Level}: n {m.N}, positives {m.Positives} (prevalence {m.Prevalence:0.000})"));
        Console.WriteLine($"  AUC {Ci(m.Ranking.Auc)}   AP {Ci(m.Ranking.AveragePrecision)}   (95 % bootstrap CI)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  at {m.Threshold:0.00}: precision {m.Precision:0.000}, recall {m.Recall:0.000}, specificity {m.Specificity:0.000}, F1 {m.F1:0.000}; ECE {m.Ece:0.000}"));
        if (m.AtOperatingPoint is { } op)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  at the operating point {op.Threshold:0.000}: precision {Ci(op.Precision)}, recall {Ci(op.Recall)}, specificity {Ci(op.Specificity)}"));
        }
        Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
    }
}
