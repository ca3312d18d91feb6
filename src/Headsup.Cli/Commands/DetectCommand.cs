using Headsup.Core.Progress;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Training;
using Headsup.Series;
using Headsup.Triage;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup detect &lt;file|folder|zip&gt; [--model] [--explain none|ig|xrai|xrai-fast|gradcam] [--threshold p] --out dir`:
/// triage of every head CT study in the input with one loaded model. Writes results.json, per-study overlays, panel,
/// heatmaps, a DICOM SR and Secondary Captures, and prints a table. Exit 0 when every study was scored (a series with
/// gaps is scored and marked partial); 1 when some file or slice could not be read or a study had no usable series (the
/// rest is scored, partial results are marked); 3 when nothing could be scored or the model cannot be used.
/// </summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A DICOM file, a folder (searched recursively) or a zip archive" };
        var model = SharedOptions.Model();
        var explain = ExplainOption("--explain", "Explain the key slices: none, ig, xrai, xrai-fast or gradcam", "none");
        var threshold = new Option<double?>("--threshold") { Description = "Study probability threshold (default: the model's study operating point)" };
        var keySlices = new Option<int>("--key-slices") { Description = "Key slices reported (and explained) per study", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Integrated Gradients steps per baseline (ig, xrai)", DefaultValueFactory = _ => 100 };
        var noDicom = new Option<bool>("--no-dicom") { Description = "Do not write the DICOM SR and Secondary Captures" };
        var precision = PrecisionOption();
        var output = SharedOptions.Out();
        var command = new Command("detect", "Triage head CT studies: calibrated study probability, key slices, explanations, DICOM SR/SC")
        {
            input, model, explain, threshold, keySlices, steps, noDicom, precision, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var method = ParseMethod(parse.GetValue(explain)!);
            double? p = parse.GetValue(threshold);
            if (p is < 0 or > 1)
            {
                throw new UsageException($"--threshold must be between 0 and 1 (got {p})");
            }

            int keys = parse.GetValue(keySlices);
            if (keys < 1)
            {
                throw new UsageException("--key-slices must be at least 1");
            }

            var options = new TriageOptions
            {
                Explain = method,
                Threshold = p,
                KeySlices = keys,
                ExplainOptions = ExplainOptions.Default with { Steps = Math.Max(1, parse.GetValue(steps)) },
                WriteDicom = !parse.GetValue(noDicom),
                ExplainPrecision = ParsePrecision(parse.GetValue(precision)!),
            };
            return Task.FromResult(Run(parse.GetValue(input)!, ModelLocator.Resolve(parse.GetValue(model)), parse.GetValue(output)!, options, cancellationToken));
        });
        return command;
    }

    /// <summary>The --explain/--method option.</summary>
    public static Option<string> ExplainOption(string name, string description, string? defaultValue)
    {
        var option = new Option<string>(name) { Description = description };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue;
        }
        else
        {
            option.Required = true;
        }

        option.AcceptOnlyFromAmong(defaultValue is null ? ["ig", "xrai", "xrai-fast", "gradcam"] : ["none", "ig", "xrai", "xrai-fast", "gradcam"]);
        return option;
    }

    /// <summary>The --explain-precision option.</summary>
    public static Option<string> PrecisionOption()
    {
        var option = new Option<string>("--explain-precision")
        {
            Description = "Number format of explanations: auto (bf16 where the CPU has AVX512-BF16/AMX, ~3× faster; maps agree with fp32 at Spearman ≥ 0.9), fp32 (exact), bf16",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "fp32", "bf16");
        return option;
    }

    /// <summary>CLI precision → precision (null for auto).</summary>
    public static InferencePrecision? ParsePrecision(string name) => name switch
    {
        "fp32" => InferencePrecision.Float32,
        "bf16" => InferencePrecision.BFloat16,
        _ => null,
    };

    /// <summary>CLI name → method (null for none).</summary>
    public static ExplainMethod? ParseMethod(string name) => StudyTriager.ParseMethodName(name);

    private static int Run(string input, string modelLocation, string outDir, TriageOptions options, CancellationToken cancellationToken)
    {
        var loadClock = System.Diagnostics.Stopwatch.StartNew();
        var triager = ModelLocator.LoadTriager(modelLocation);
        if (triager is null)
        {
            return ExitCodes.CouldNotRun;
        }

        using (triager)
        {
            var m = triager.Package.Manifest;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {m.Name} {m.Version} ({m.Architecture}, {m.Input.Recipe} {m.Input.Size}²) loaded in {loadClock.Elapsed.TotalSeconds:0.00} s"));

            // A missing input (ScanInputException) or an output that cannot be written (IOException) ends in Program.cs.
            var results = AnsiConsole.Progress()
                .AutoClear(true)
                .HideCompleted(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("scanning", maxValue: 1);
                    var progress = new SyncProgress<TriageProgress>(p =>
                    {
                        task.Description = p.Study == 0 ? "scanning" : $"study {p.Study}: {p.Stage}";
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                    });
                    return triager.Run(input, outDir, options, progress, cancellationToken);
                });

            Print(results, outDir);
            if (results.Studies.Count == 0)
            {
                Console.Error.WriteLine($"error: no DICOM study found in {input}" + (results.Failures.Count > 0 ? $" ({results.Failures.Count} file(s) could not be used; see results.json)" : string.Empty));
                return ExitCodes.CouldNotRun;
            }

            if (results.Studies.All(s => s.Probability is null))
            {
                return ExitCodes.CouldNotRun;
            }

            return results.HasFailures ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
        }
    }

    private static void Print(TriageResults results, string outDir)
    {
        var table = new Table().AddColumns("study", "series", "slices", "P(ICH)", "decision", "key slices (instance)", "notes");
        foreach (var s in results.Studies)
        {
            string Short(string? uid) => uid is null ? "-" : uid.Length > 14 ? "…" + uid[^12..] : uid;
            var notes = new List<string>();
            if (s.Error is not null)
            {
                notes.Add(s.Error);
            }

            if (s.FailedSlices.Count > 0)
            {
                notes.Add($"{s.FailedSlices.Count} slice(s) unreadable: partial");
            }
            else if (s.Partial)
            {
                notes.Add("partial: " + string.Join(", ", s.SeriesProblems.Select(p => p.Split(':')[0]).Where(k => k is "Gap" or "MissingPosition").Distinct()));
            }

            if (s.OutOfDistribution is { Warning: true } ood)
            {
                notes.Add("unlike the training data" + (ood.Score is { } score ? string.Create(CultureInfo.InvariantCulture, $" (OOD {score:0.00})") : string.Empty));
            }

            if (s.Skipped.Count > 0)
            {
                notes.Add($"{s.Skipped.Count} other series skipped");
            }

            table.AddRow(
                Markup.Escape(Short(s.StudyInstanceUid)),
                Markup.Escape(s.SeriesDescription is { Length: > 0 } d ? d : Short(s.SeriesInstanceUid)),
                s.Slices.Count.ToString(CultureInfo.InvariantCulture),
                s.Probability is { } p ? p.ToString("0.000", CultureInfo.InvariantCulture) : "-",
                s.Positive is { } pos ? (pos ? "[red]ICH likely[/]" : "no ICH flagged") + string.Create(CultureInfo.InvariantCulture, $" (≥ {s.Threshold:0.000})")
                    : s.Probability is not null && s.Calibration is { } calibration ? "[yellow]no decision[/] (" + Markup.Escape(calibration) + ")" : "-",
                Markup.Escape(string.Join(", ", s.KeySlices.Select(k => k.InstanceNumber?.ToString(CultureInfo.InvariantCulture) ?? "#" + k.Index.ToString(CultureInfo.InvariantCulture)))),
                Markup.Escape(string.Join("; ", notes)));
        }

        AnsiConsole.Write(table);
        foreach (var s in results.Studies.Where(s => s.OutOfDistribution is { Warning: true }))
        {
            Console.WriteLine($"warning: study {s.StudyInstanceUid}: {s.OutOfDistribution!.Message}");
        }

        var undecided = results.Studies.Where(s => s.Positive is null && s.Probability is not null).ToList();
        if (undecided.Count > 0)
        {
            Console.WriteLine($"no decision on {undecided.Count} of {results.Studies.Count} studies: study calibration {undecided[0].Calibration ?? "missing"}; {undecided[0].CalibrationDetail}");
        }
        foreach (var f in results.Failures)
        {
            Console.Error.WriteLine($"warning: {f.Source}: {f.Reason}");
        }

        Console.WriteLine($"results written to {Path.Combine(outDir, StudyTriager.ResultsFile)}");
        Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
    }
}
