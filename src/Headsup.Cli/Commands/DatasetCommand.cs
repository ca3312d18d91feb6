using Headsup.Core.Progress;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Datasets;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup dataset --data &lt;src&gt;... --out &lt;manifest.json&gt; [--per-class N] [--val-fraction f] [--folds k]`:
/// imports labelled sources (RSNA layout, labels CSV, phantom output), optionally draws a balanced sample, splits by
/// patient (stratified; or k folds), hashes every file and writes a manifest that repeats the run exactly.
/// With --group-near-duplicates, images without a patient id that show the same slice share one before the split.
/// `headsup dataset --verify &lt;manifest.json&gt;` checks every file against its hash.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled sources (repeatable)", required: false);
        var output = new Option<string?>("--out") { Description = "Manifest to write (.json); with --folds, one manifest per fold: <name>.fold<K>.json" };
        var perClass = new Option<int?>("--per-class") { Description = "Balanced sample: N per class (the paper: 1000 or 3000)" };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of patients for validation", DefaultValueFactory = _ => 0.2 };
        var folds = new Option<int?>("--folds") { Description = "k-fold split by patient instead of one split" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var verify = new Option<string?>("--verify") { Description = "Verify a manifest's files against their hashes" };
        var groupNearDuplicates = SharedOptions.GroupNearDuplicates();
        var nearDuplicateThreshold = SharedOptions.NearDuplicateThreshold();
        var command = new Command("dataset", "Import labelled data, sample, split by patient and write a manifest with file hashes")
        {
            data, output, perClass, valFraction, folds, seed, verify, groupNearDuplicates, nearDuplicateThreshold,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            if (parse.GetValue(verify) is { } manifestPath)
            {
                return Task.FromResult(Verify(manifestPath));
            }

            var outPath = parse.GetValue(output) ?? throw new UsageException("--out is required (or use --verify)");
            var dataset = DataArguments.Load(parse.GetValue(data) ?? []);
            IReadOnlyList<LabeledSample> samples = dataset.Samples;
            int seedValue = parse.GetValue(seed);
            try
            {
                if (parse.GetValue(perClass) is int n)
                {
                    var balanced = BalancedSampler.Sample(samples, n, seedValue);
                    foreach (var note in balanced.Notes)
                    {
                        Console.Error.WriteLine("  " + note);
                    }

                    samples = balanced.Samples;
                }

                if (parse.GetValue(groupNearDuplicates))
                {
                    double threshold = parse.GetValue(nearDuplicateThreshold);
                    if (!(threshold is >= 0.5 and <= 1))
                    {
                        throw new UsageException($"--near-duplicate-threshold must be within 0.5..1 (got {threshold.ToString(CultureInfo.InvariantCulture)})");
                    }

                    var observer = new ConsoleTrainingObserver();
                    observer.Stage("looking for near-duplicate images among those without a patient id", samples.Count(NearDuplicates.IsCandidate));
                    var grouping = NearDuplicates.Group(samples, threshold, SampleImages.Load, new SyncProgress<int>(observer.Advance), cancellationToken);
                    Console.Error.WriteLine(grouping.Summary);
                    foreach (var group in grouping.Groups)
                    {
                        Console.Error.WriteLine($"  {string.Join(" ", group.Files)} (r ≥ {group.MinCorrelation.ToString("0.000", CultureInfo.InvariantCulture)}{(group.LabelsAgree ? string.Empty : "; labels disagree")})");
                    }

                    foreach (var problem in grouping.Problems)
                    {
                        Console.Error.WriteLine($"  {problem.File}: {problem.Message}");
                    }

                    samples = grouping.Samples;
                }

                if (parse.GetValue(folds) is int k)
                {
                    var stem = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath));
                    foreach (var fold in PatientSplitter.KFold(samples, k, seedValue))
                    {
                        var path = string.Create(CultureInfo.InvariantCulture, $"{stem}.fold{fold.Index + 1}.json");
                        Write(path, new DatasetSplit(fold.Train, fold.Validation), seedValue, cancellationToken);
                    }
                }
                else
                {
                    Write(outPath, PatientSplitter.Split(samples, parse.GetValue(valFraction), seedValue), seedValue, cancellationToken);
                }
            }
            catch (DatasetException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            return Task.FromResult(dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    private static void Write(string path, DatasetSplit split, int seed, CancellationToken cancellationToken)
    {
        var observer = new ConsoleTrainingObserver();
        var all = split.Train.Concat(split.Validation).ToList();
        observer.Stage($"hashing {all.Count} files for {path}", all.Count);
        var manifest = DatasetManifest.Create(all, split.ToSplitMap(), seed, new SyncProgress<ManifestProgress>(p => observer.Advance(p.Done)), cancellationToken: cancellationToken);
        manifest.Save(path);
        static string Count(IReadOnlyList<LabeledSample> s) => $"{s.Count} ({s.Count(x => x.Any == 1)} positive, {s.Select(x => x.PatientId).Distinct().Count()} patients)";
        Console.WriteLine($"{path}: train {Count(split.Train)}, validation {Count(split.Validation)}; content hash {manifest.ContentHash}");
    }

    private static int Verify(string path)
    {
        DatasetManifest manifest;
        try
        {
            manifest = DatasetManifest.Load(path);
        }
        catch (DatasetException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }

        var problems = manifest.Verify();
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"  {problem.File}: {problem.Message}");
        }

        Console.WriteLine($"{path}: {manifest.Entries.Count} entries, {problems.Count} problems; content hash {manifest.ContentHash}");
        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.SomeInputsFailed;
    }
}
