using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Core.IO;
using Headsup.Core.Progress;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;
using Headsup.Training.Evaluation;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup input-profile --data &lt;training data&gt;... [--model] --out &lt;new package&gt;`: copies a package and adds
/// input-profile.json, built from the data it was trained on (<see cref="InputProfileBuilder"/>), so detect can report
/// how unlike the training data each study is. Packages trained by this build have one already.
/// </summary>
internal static class InputProfileCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("The package's training data: labels CSV, phantom folder or manifest (repeatable)");
        var model = SharedOptions.Model("Model package folder (default: the shipped model, models/default)");
        var output = SharedOptions.Out("Folder of the copy of the package with input-profile.json");
        var command = new Command("input-profile", "Profile a package's training inputs (features, acquisition ranges) for detect's out-of-distribution warning") { data, model, output };
        command.SetAction((parse, cancellationToken) =>
        {
            var location = ModelLocator.Resolve(parse.GetValue(model));
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(location))
            {
                throw new UsageException("--model must be a package folder (its files are copied into --out); unzip a zipped package first");
            }

            if (Path.GetFullPath(location) == outDir || (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any()))
            {
                throw new UsageException($"--out must be a new, empty folder ({outDir})");
            }

            var dataset = DataArguments.Load(parse.GetValue(data)!);
            var observer = new ConsoleTrainingObserver();
            var problems = new List<SampleProblem>();
            InputProfile profile;
            try
            {
                using var package = ModelPackage.Load(location);
                observer.Stage($"profiling {dataset.Samples.Count} training inputs of {package.Manifest.Name} {package.Manifest.Version}", dataset.Samples.Count);
                profile = InputProfileBuilder.Build(package, dataset.Samples, problems, new SyncProgress<int>(observer.Advance), cancellationToken);
            }
            catch (ModelException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            foreach (var p in problems)
            {
                observer.Problem(p);
            }

            ModelPackage.Derive(location, outDir, copy =>
                AtomicFile.Write(Path.Combine(copy, InputProfile.FileName), s => s.Write(System.Text.Encoding.UTF8.GetBytes(profile.ToJson()))));
            var q = profile.Embedding.DistanceQuantiles;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input profile: {profile.BuiltFrom}; feature distance of the training slices: median {q["q50"]:0.00}, q99 {q["q99"]:0.00}"));
            if (profile.Dicom is { } d)
            {
                Console.WriteLine($"  DICOM: {d.Series} series; slice thickness {d.SliceThicknessMm?.ToString() ?? "?"} mm, pixel spacing {d.PixelSpacingMm?.ToString() ?? "?"} mm, field of view {d.FieldOfViewMm?.ToString() ?? "?"} mm, kernels {(d.Kernels.Count > 0 ? string.Join(", ", d.Kernels) : "none recorded")}");
            }

            Console.WriteLine($"package with {InputProfile.FileName} written to {outDir}");
            return Task.FromResult(problems.Count > 0 || dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }
}
