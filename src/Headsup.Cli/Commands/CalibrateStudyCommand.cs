using Headsup.Training.Evaluation;
using Headsup.Core.Progress;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Triage;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup calibrate-study --data &lt;src&gt;... [--model] --out &lt;new package&gt; [--sensitivity 0.9]`: copies a package
/// and fits its study-level calibration and operating point on labelled DICOM studies, scored exactly as detect scores
/// them. Writes the new package and study-calibration.csv in it.
/// </summary>
internal static class CalibrateStudyCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled DICOM studies: phantom folder, labels CSV with study_id/study_any, manifest (repeatable)");
        var model = SharedOptions.Model("Model package folder (default: the shipped model, models/default)");
        var sensitivity = new Option<double>("--sensitivity") { Description = "Study sensitivity the operating point keeps", DefaultValueFactory = _ => 0.9 };
        var output = SharedOptions.Out("Folder of the calibrated copy of the package");
        var minimum = new Option<int>("--min-studies-per-class") { Description = "Real labelled studies of each class needed to fit a threshold; below it the package says \"insufficient real data\" and detect makes no decision", DefaultValueFactory = _ => StudyCalibrationRules.DefaultMinimumPerClass };
        var allowPhantoms = new Option<bool>("--allow-phantoms") { Description = "Development only: let phantom studies count (the package's study status then says so)" };
        var aggregation = new Option<string?>("--aggregation") { Description = "Study aggregation to fit and write: top-k-mean, contiguous-top-k-mean (a slice counts only as high as its higher neighbour), max, noisy-or; default: the package's" };
        aggregation.AcceptOnlyFromAmong([.. StudyAggregator.Methods]);
        var command = new Command("calibrate-study", "Fit a package's study-level calibration and operating point on labelled real studies") { data, model, sensitivity, output, minimum, allowPhantoms, aggregation };
        command.SetAction((parse, cancellationToken) =>
        {
            double target = parse.GetValue(sensitivity);
            if (target is <= 0 or > 1)
            {
                throw new UsageException("--sensitivity must be in (0, 1]");
            }

            var sources = parse.GetValue(data)!;
            var dataset = DataArguments.Load(sources, keepStudyLabelledRows: true);
            var location = ModelLocator.Resolve(parse.GetValue(model));
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            if (Path.GetFullPath(location) == outDir)
            {
                throw new UsageException("--out must be a new folder, not the package itself");
            }

            if (File.Exists(location))
            {
                throw new UsageException("--model must be a package folder (its files are copied into --out); unzip a zipped package first");
            }

            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            {
                throw new UsageException($"{outDir} exists and is not empty");
            }

            var triager = ModelLocator.LoadTriager(location);
            if (triager is null)
            {
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            StudyCalibrationResult result;
            ModelManifest manifest;
            string method;
            using (triager)
            {
                manifest = triager.Package.Manifest;
                var observer = new ConsoleTrainingObserver();
                observer.Stage("scoring labelled studies", Math.Max(1, dataset.Samples.Select(s => s.StudyId).Distinct().Count()));
                method = parse.GetValue(aggregation) ?? manifest.Study.Method;
                var rows = StudyCalibration.Score(triager, dataset.Samples, TriageOptions.Default, new SyncProgress<int>(observer.Advance), method, cancellationToken);
                var sourcesText = string.Join(", ", rows.GroupBy(r => r.Source).Select(g => $"{g.Key} {g.Count()} ({g.Count(r => r.Label == 1)}+)"));
                try
                {
                    var rules = new StudyCalibrationRules(Math.Max(1, parse.GetValue(minimum)), parse.GetValue(allowPhantoms));
                    result = StudyCalibration.FitOnRealStudies(rows, target, $"study level: {rows.Count} studies ({rows.Count(r => r.Label == 1)} positive): {sourcesText}; {method} (k = {manifest.Study.K}) over slices with ≥ {TriageOptions.Default.MinBrainFraction:0.##} of the largest brain area", rules);
                }
                catch (ModelException ex)
                {
                    Console.Error.WriteLine("error: " + ex.Message);
                    return Task.FromResult(ExitCodes.CouldNotRun);
                }
            }

            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
            {
                throw new UsageException($"{outDir} exists and is not empty");
            }

            var updated = manifest with { Study = manifest.Study with { Method = method, Calibration = result.Calibration, Threshold = result.Threshold, Status = result.Status, StatusDetail = result.StatusDetail } };
            ModelPackage.Derive(location, outDir, copy =>
            {
                ModelPackage.UpdateManifest(copy, updated);
                StudyCalibration.WriteRows(Path.Combine(copy, "study-calibration.csv"), result);
            });
            if (result.Status == Models.Packaging.StudyCalibrationStatus.InsufficientRealData)
            {
                Console.WriteLine($"study calibration: {result.Status}: {result.StatusDetail}");
                Console.WriteLine("  the package makes no study decision (detect reports the uncalibrated study score, ranked, with calibration \"insufficient real data\")");
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"study calibration ({result.Status}): platt a={result.Calibration.A:0.####} b={result.Calibration.B:0.####}; threshold {result.Threshold:0.####} ({result.Rule})"));
                Console.WriteLine($"  {result.StatusDetail}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.Rows.Count} studies used, study AUC of the aggregate on them {result.Auc:0.000} (in-sample)"));
            Console.WriteLine($"calibrated package written to {outDir}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
