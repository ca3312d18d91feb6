using System.CommandLine;
using System.Globalization;
using Headsup.Deidentification;
using Headsup.Deidentification.Batch;
using Headsup.Deidentification.Keys;
using Headsup.Series;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup deidentify &lt;file|dir|zip&gt; --out &lt;dir&gt; [--key-file &lt;file&gt;] [--shift-dates]`: the DICOM PS3.15 Basic
/// Application Level Confidentiality Profile (docs/deidentification.md). Scans the input with <see cref="StudyScanner"/>
/// (its zip limits apply), runs <see cref="DeidentificationBatch"/> into &lt;out&gt;/&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm and
/// writes &lt;out&gt;/deidentification.json. The key comes from --key-file, else HEADSUP_DEID_KEY, else &lt;out&gt;/deid.key
/// (created with mode 0600 when missing). Prints no original identifier. Exit 0 when every DICOM input was written; 1
/// when some failed or were skipped for burned-in annotation (each reported with its file and reason); 2 usage; 3 could
/// not run (no input, no DICOM, key unusable, output not writable).
/// </summary>
internal static class DeidentifyCommand
{
    /// <summary>The environment variable that may hold the site key (text).</summary>
    public const string KeyVariable = "HEADSUP_DEID_KEY";

    /// <summary>The key file created in the output folder when no key is given.</summary>
    public const string GeneratedKeyFile = "deid.key";

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A DICOM file, a folder (recursive) or a .zip" };
        var output = SharedOptions.Out("Output folder: <study uid>/<series uid>/<sop uid>.dcm and deidentification.json");
        var keyFile = new Option<string?>("--key-file")
        {
            Description = $"Site key: a file with one line of text, or raw bytes (default: ${KeyVariable}, else <out>/{GeneratedKeyFile}, created when missing)",
        };
        var shiftDates = new Option<bool>("--shift-dates") { Description = "Move every date back by a per-patient offset of 1-365 days instead of removing it" };
        var command = new Command("deidentify", "De-identify DICOM (PS3.15 Basic Profile): keyed patient pseudonyms and UIDs, optional per-patient date shift")
        {
            input, output, keyFile, shiftDates,
        };
        command.SetAction((parse, cancellationToken) =>
            Task.FromResult(Run(parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(keyFile), parse.GetValue(shiftDates), cancellationToken)));
        return command;
    }

    private static int Run(string input, string outDir, string? keyFile, bool shiftDates, CancellationToken cancellationToken)
    {
        var inputFull = Path.GetFullPath(input);
        var outFull = Path.GetFullPath(outDir);
        if (Directory.Exists(inputFull) && (outFull == inputFull || outFull.StartsWith(inputFull + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new UsageException($"--out {outDir} is inside the input folder: its files would be read as inputs next time; choose a folder outside {input}");
        }

        if (File.Exists(outFull))
        {
            Console.Error.WriteLine($"error: --out {outDir} is a file, not a folder");
            return ExitCodes.CouldNotRun;
        }

        byte[]? key;
        try
        {
            key = keyFile is not null ? DeidentificationKey.Load(keyFile)
                : Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } text ? DeidentificationKey.FromText(text, KeyVariable)
                : null;
        }
        catch (DeidentificationKeyException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }

        // A missing input (ScanInputException), an unsafe single archive (ArchiveException) and a folder without DICOM
        // (NoDicomFoundException) end in Program.cs.
        var baseFolder = Directory.Exists(inputFull) ? inputFull : Path.GetDirectoryName(inputFull)!;
        var scan = AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("scanning", maxValue: 1);
                var result = StudyScanner.Scan(input, progress: new Headsup.Core.Progress.SyncProgress<ScanProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.InputFilesTotal);
                    task.Value = p.InputFilesScanned;
                }), cancellationToken: cancellationToken);
                task.Value = task.MaxValue;
                return result;
            });
        var scanFailures = scan.Failures.Select(f => new DeidentificationIssue(Relative(baseFolder, f.Source), f.Reason)).ToList();
        var scanSkipped = scan.Skipped.Select(f => new DeidentificationIssue(Relative(baseFolder, f.Source), f.Reason)).ToList();
        if (scan.InstanceCount == 0 && !scan.InputIsSingleFile)
        {
            PrintIssues(scanSkipped, scanFailures);
            scan.ThrowIfNoDicomFound();
        }

        if (key is null)
        {
            var keyPath = Path.Combine(outFull, GeneratedKeyFile);
            try
            {
                if (File.Exists(keyPath))
                {
                    key = DeidentificationKey.Load(keyPath);
                    Console.WriteLine($"using the key in {keyPath}");
                }
                else
                {
                    key = DeidentificationKey.Generate(keyPath);
                    Console.WriteLine($"generated a new key in {keyPath} (mode 0600): keep it secret and pass it with --key-file to map the same patients and UIDs the same way next time");
                }
            }
            catch (DeidentificationKeyException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return ExitCodes.CouldNotRun;
            }
        }

        var deidentifier = new Deidentifier(new DeidentificationOptions { Key = key, ShiftDates = shiftDates });
        var inputs = scan.Studies.SelectMany(s => s.Series).SelectMany(s => s.Instances)
            .Select(i => new DeidentificationInput(Relative(baseFolder, i.Source.Location), i.Source.OpenRead))
            .ToList();
        var summary = AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("de-identify", maxValue: Math.Max(1, inputs.Count));
                return new DeidentificationBatch(deidentifier, outFull).Run(inputs, new Headsup.Core.Progress.SyncProgress<DeidentificationProgress>(p => task.Value = p.Done), cancellationToken);
            });

        var reportPath = DeidentificationReport.Write(outFull, DeidentificationReport.Create(deidentifier, summary, scan.SourcesScanned, scanFailures, scanSkipped));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deidentify: {scan.SourcesScanned} file(s) scanned, {summary.Written.Count} written to {outFull} ({summary.Patients} patient(s), {summary.Studies} study(ies), {summary.Series} series), {scanSkipped.Count + summary.Skipped.Count} skipped, {scanFailures.Count + summary.Failed.Count} failed{(shiftDates ? ", dates shifted" : string.Empty)}; report {reportPath}"));
        PrintIssues([.. scanSkipped, .. summary.Skipped], [.. scanFailures, .. summary.Failed]);

        bool burnedIn = summary.Skipped.Any(s => s.Reason == BurnedInAnnotationException.SkipReason);
        return scanFailures.Count + summary.Failed.Count > 0 || burnedIn ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
    }

    private static void PrintIssues(IEnumerable<DeidentificationIssue> skipped, IEnumerable<DeidentificationIssue> failed)
    {
        foreach (var issue in skipped)
        {
            Console.Error.WriteLine($"skipped: {issue.Name}: {issue.Reason}");
        }

        foreach (var issue in failed)
        {
            Console.Error.WriteLine($"failed: {issue.Name}: {issue.Reason}");
        }
    }

    /// <summary>A source's path relative to the input's folder ("a.zip!entry" for archive entries), with / separators.</summary>
    private static string Relative(string baseFolder, string location) =>
        Path.GetRelativePath(baseFolder, location).Replace(Path.DirectorySeparatorChar, '/');
}
