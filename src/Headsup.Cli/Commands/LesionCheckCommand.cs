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
        var data = SharedOptions.Data("Labelled data with bleed masks: phantom folder, labels CSV with a mask column, manifest (repeatable)");
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
            data, model, methods, steps, limit, top, tolerance, precision, output,
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

            var dataset = DataArguments.Load(parse.GetValue(data)!);
            var positives = dataset.Samples.Where(s => s.AnyKnown && s.Any == 1 && s.MaskFile is not null).ToList();
            if (positives.Count == 0)
            {
                Console.Error.WriteLine("error: no positive slice with a bleed mask in the data (phantom folders write masks/; labels CSVs need a mask column)");
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
                observer.Stage($"explaining {positives.Count} positive slices with {string.Join(", ", chosen.Select(StudyTriager.MethodName))}", positives.Count);
                var outDir = parse.GetValue(output)!;
                var (_, summaries, problems) = LesionCheck.Run(
                    triager,
                    positives,
                    chosen,
                    ExplainOptions.Default with { Steps = Math.Max(1, parse.GetValue(steps)) },
                    outDir,
                    parse.GetValue(top),
                    parse.GetValue(tolerance),
                    precision: DetectCommand.ParsePrecision(parse.GetValue(precision)!),
                    progress: new SyncProgress<int>(observer.Advance),
                    cancellationToken: cancellationToken);
                foreach (var p in problems)
                {
                    observer.Problem(p);
                }

                Console.WriteLine($"lesion check written to {outDir} (slice level, positive slices with masks)");
                foreach (var s in summaries)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {s.Method,-9} n {s.N,4}  pointing game {s.PointingGame.Value:0.000} [{s.PointingGame.Low:0.000}, {s.PointingGame.High:0.000}] (chance {s.MeanChancePointing:0.000})  top-region hit {s.MaskHitRate.Value:0.000} [{s.MaskHitRate.Low:0.000}, {s.MaskHitRate.High:0.000}]  bleed covered {s.MeanBleedCovered:0.000}  {s.MedianSeconds:0.00} s/slice"));
                }

                Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
                return Task.FromResult(problems.Count > 0 || dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
            }
        });
        return command;
    }
}
