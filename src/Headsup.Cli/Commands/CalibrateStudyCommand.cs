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
        var command = new Command("calibrate-study", "Fit a package's study-level calibration and operating point on labelled studies") { data, model, sensitivity, output };
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
            using (triager)
            {
                manifest = triager.Package.Manifest;
                var observer = new ConsoleTrainingObserver();
                observer.Stage("scoring labelled studies", Math.Max(1, dataset.Samples.Select(s => s.StudyId).Distinct().Count()));
                var rows = StudyCalibration.Score(triager, dataset.Samples, TriageOptions.Default, new SyncProgress<int>(observer.Advance), cancellationToken);
                var sourcesText = string.Join(", ", rows.GroupBy(r => r.Source).Select(g => $"{g.Key} {g.Count()} ({g.Count(r => r.Label == 1)}+)"));
                try
                {
                    result = StudyCalibration.Fit(rows, target, $"study level: {rows.Count} studies ({rows.Count(r => r.Label == 1)} positive): {sourcesText}; top-{manifest.Study.K} mean over slices with ≥ {TriageOptions.Default.MinBrainFraction:0.##} of the largest brain area");
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

            Directory.CreateDirectory(outDir);
            foreach (var file in Directory.GetFiles(location))
            {
                File.Copy(file, Path.Combine(outDir, Path.GetFileName(file)));
            }

            var updated = manifest with { Study = manifest.Study with { Calibration = result.Calibration, Threshold = result.Threshold } };
            ModelPackage.UpdateManifest(outDir, updated);
            StudyCalibration.WriteRows(Path.Combine(outDir, "study-calibration.csv"), result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"study calibration: platt a={result.Calibration.A:0.####} b={result.Calibration.B:0.####}; threshold {result.Threshold:0.####} ({result.Rule})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.Rows.Count} studies, study AUC of the aggregate on them {result.Auc:0.000} (in-sample: these studies chose the calibration)"));
            Console.WriteLine($"calibrated package written to {outDir}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
