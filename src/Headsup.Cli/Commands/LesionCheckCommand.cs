using Headsup.Training.Evaluation;
using Headsup.Core.Progress;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Training;
using Headsup.Triage;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup lesion-check --data &lt;src&gt;... [--model] [--methods xrai,ig,gradcam] --out dir`: on positive slices with
/// bleed masks (phantom folders; labels CSVs with a mask column), how often each explanation's maximum and top region
/// fall on the bleed (pointing game and top-region hit, with Wilson CIs and the chance level). Writes
/// lesion-check.json/.csv, report.md and overlays (bleed outlined in red).
/// </summary>
internal static class LesionCheckCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled data with bleed masks: phantom folder, labels CSV with a mask column, manifest (repeatable)", required: false);
        var insertInto = new Option<string[]>("--insert-into") { Description = "Instead of labelled masks: insert lesions (every subtype, known extent) into real negative slices of these sources and check against them (repeatable)", AllowMultipleArgumentsPerToken = true };
        var inserted = new Option<int>("--inserted") { Description = "With --insert-into: how many negative slices get a lesion (taken evenly)", DefaultValueFactory = _ => 30 };
        var seed = new Option<int>("--seed") { Description = "With --insert-into: seed of the lesions", DefaultValueFactory = _ => 1 };
        var conspicuity = new Option<string>("--conspicuity") { Description = "With --insert-into: conspicuity range LO-HI in [0, 1] (lower = smaller, fainter lesions)", DefaultValueFactory = _ => "0.3-1" };
        var model = SharedOptions.Model();
        var methods = new Option<string>("--methods") { Description = "Comma-separated: ig, xrai, xrai-fast, gradcam", DefaultValueFactory = _ => "xrai,ig,gradcam" };
        var steps = new Option<int>("--steps") { Description = "Integrated Gradients steps per baseline (ig, xrai)", DefaultValueFactory = _ => 100 };
        var limit = new Option<int>("--limit") { Description = "At most this many positive slices (0 = all), taken evenly across the data", DefaultValueFactory = _ => 0 };
        var top = new Option<double>("--top") { Description = "Top fraction of the brain that forms the top region", DefaultValueFactory = _ => 0.3 };
        var tolerance = new Option<int>("--tolerance") { Description = "Pointing-game tolerance in pixels", DefaultValueFactory = _ => LesionCheck.DefaultTolerance };
        var output = SharedOptions.Out();
        var precision = DetectCommand.PrecisionOption();
        var command = new Command("lesion-check", "Do the explanations point at the bleed? Pointing game and top-region hit rates on slices with bleed masks")
        {
            data, insertInto, inserted, seed, conspicuity, model, methods, steps, limit, top, tolerance, precision, output,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var chosen = parse.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(m => DetectCommand.ParseMethod(m) ?? throw new UsageException($"unknown method '{m}' in --methods (ig, xrai, xrai-fast, gradcam)"))
                .Distinct()
                .ToList();
            if (chosen.Count == 0)
            {
                throw new UsageException("--methods names no method");
            }

            var sources = parse.GetValue(data) ?? [];
            var insertSources = parse.GetValue(insertInto) ?? [];
            if ((sources.Length == 0) == (insertSources.Length == 0))
            {
                throw new UsageException("give either --data (slices with bleed masks) or --insert-into (real negative slices to insert lesions into)");
            }

            int count = parse.GetValue(inserted);
            if (count < 1)
            {
                throw new UsageException("--inserted must be at least 1");
            }

            var synthesizer = ParseConspicuity(parse.GetValue(conspicuity)!);
            var dataset = DataArguments.Load(sources.Length > 0 ? sources : insertSources);
            var positives = dataset.Samples.Where(s => s.AnyKnown && s.Any == 1 && s.MaskFile is not null).ToList();
            if (sources.Length > 0 && positives.Count == 0)
            {
                Console.Error.WriteLine("error: no positive slice with a bleed mask in the data (phantom folders write masks/; labels CSVs need a mask column)");
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            if (insertSources.Length > 0 && !dataset.Samples.Any(s => s.AnyKnown && s.Any == 0))
            {
                Console.Error.WriteLine("error: --insert-into has no labelled negative slice to insert lesions into");
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            int n = parse.GetValue(limit);
            if (n > 0 && positives.Count > n)
            {
                positives = Enumerable.Range(0, n).Select(i => positives[(int)((long)i * positives.Count / n)]).ToList();
            }

            var triager = ModelLocator.LoadTriager(ModelLocator.Resolve(parse.GetValue(model)));
            if (triager is null)
            {
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            using (triager)
            {
                var observer = new ConsoleTrainingObserver();
                var outDir = parse.GetValue(output)!;
                var settings = new LesionCheckSettings(chosen, ExplainOptions.Default with { Steps = Math.Max(1, parse.GetValue(steps)) }, outDir)
                {
                    TopFraction = parse.GetValue(top),
                    Tolerance = parse.GetValue(tolerance),
                    Precision = DetectCommand.ParsePrecision(parse.GetValue(precision)!),
                };
                var methodNames = string.Join(", ", chosen.Select(StudyTriager.MethodName));
                var progress = new SyncProgress<int>(observer.Advance);
                IReadOnlyList<LesionSummary> summaries;
                IReadOnlyList<SampleProblem> problems;
                if (insertSources.Length > 0)
                {
                    int total = Math.Min(count, dataset.Samples.Count(s => s.AnyKnown && s.Any == 0));
                    observer.Stage($"inserting lesions into {total} real negative slices and explaining them with {methodNames}", total);
                    (_, summaries, problems) = LesionCheck.RunInserted(triager, dataset.Samples, count, parse.GetValue(seed), settings, synthesizer, progress, cancellationToken);
                }
                else
                {
                    observer.Stage($"explaining {positives.Count} positive slices with {methodNames}", positives.Count);
                    (_, summaries, problems) = LesionCheck.Run(triager, positives, settings, progress, cancellationToken);
                }

                foreach (var p in problems)
                {
                    observer.Problem(p);
                }

                Console.WriteLine($"lesion check written to {outDir} (slice level, {(insertSources.Length > 0 ? "lesions inserted into real negative slices; breakdown by subtype, size and model decision in report.md" : "positive slices with masks")})");
                foreach (var s in summaries.Where(s => s.Group == LesionSummary.All))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Method,-9} n {s.N,4}  pointing game {s.PointingGame.Value:0.000} [{s.PointingGame.Low:0.000}, {s.PointingGame.High:0.000}] (chance {s.MeanChancePointing:0.000})  top-region hit {s.MaskHitRate.Value:0.000} [{s.MaskHitRate.Low:0.000}, {s.MaskHitRate.High:0.000}]  bleed covered {s.MeanBleedCovered:0.000}  {s.MedianSeconds:0.00} s/slice"));
                }

                Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
                return Task.FromResult(problems.Count > 0 || dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
            }
        });
        return command;
    }

    private static Headsup.Training.Lesions.LesionSynthesizer ParseConspicuity(string range)
    {
        var parts = range.Split('-');
        if (parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double lo)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double hi)
            && lo >= 0 && hi <= 1 && lo <= hi)
        {
            return new Headsup.Training.Lesions.LesionSynthesizer { MinConspicuity = lo, MaxConspicuity = hi };
        }

        throw new UsageException($"--conspicuity '{range}': give LO-HI with 0 ≤ LO ≤ HI ≤ 1, e.g. 0.05-0.3");
    }
}
