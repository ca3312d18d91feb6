using Headsup.Inputs;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Models;
using Headsup.Explain;
using Headsup.Triage;
using Headsup.Triage.Rendering;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup explain &lt;file&gt; --method ig|xrai|xrai-fast|gradcam [--model] --out dir`: one slice (DICOM or PNG/JPEG)
/// → &lt;name&gt;.heatmap.npy (float32 at the slice's rows × columns, higher = more important, restricted to the
/// intracranial region) and &lt;name&gt;.overlay.png.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "One slice: DICOM, PNG or JPEG" };
        var method = DetectCommand.ExplainOption("--method", "ig, xrai, xrai-fast or gradcam", null);
        var model = SharedOptions.Model();
        var steps = new Option<int>("--steps") { Description = "Integrated Gradients steps per baseline (ig, xrai)", DefaultValueFactory = _ => 100 };
        var top = new Option<double>("--top") { Description = "Fraction of the brain shown in the overlay", DefaultValueFactory = _ => 0.3 };
        var output = SharedOptions.Out();
        var precision = DetectCommand.PrecisionOption();
        var command = new Command("explain", "Explain one slice: heatmap (.npy) and overlay (.png)") { file, method, model, steps, top, precision, output };
        command.SetAction((parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var chosen = DetectCommand.ParseMethod(parse.GetValue(method)!)!.Value;
            double fraction = parse.GetValue(top);
            if (fraction is <= 0 or > 1)
            {
                throw new UsageException($"--top must be in (0, 1] (got {fraction})");
            }

            SliceImage image;
            try
            {
                image = SliceImageLoader.Load(path);
            }
            catch (SliceImageException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.SomeInputsFailed);
            }

            var triager = ModelLocator.LoadTriager(ModelLocator.Resolve(parse.GetValue(model)));
            if (triager is null)
            {
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            using (triager)
            {
                var clock = Stopwatch.StartNew();
                ExplainedSlice result;
                try
                {
                    result = triager.ExplainSlice(image, null, null, chosen, ExplainOptions.Default with { Steps = Math.Max(1, parse.GetValue(steps)) }, DetectCommand.ParsePrecision(parse.GetValue(precision)!));
                }
                catch (InputRecipeException ex)
                {
                    Console.Error.WriteLine("error: " + ex.Message);
                    return Task.FromResult(ExitCodes.SomeInputsFailed);
                }

                double seconds = clock.Elapsed.TotalSeconds;
                var outDir = parse.GetValue(output)!;
                Directory.CreateDirectory(outDir);
                var name = Path.GetFileNameWithoutExtension(path);
                var npy = Path.Combine(outDir, name + ".heatmap.npy");
                var png = Path.Combine(outDir, name + ".overlay.png");
                OverlayRenderer.SaveHeatmap(result.Heatmap, image.Height, image.Width, npy);
                OverlayRenderer.SavePng(OverlayRenderer.Explanation(image, result.Heatmap, result.Region, chosen, fraction), png);
                double probability = triager.Package.Manifest.Calibration.Apply(result.Explanation.Logit);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: slice P(ICH) {probability:0.000} (logit {result.Explanation.Logit:0.000}); {StudyTriager.MethodName(chosen)} in {seconds:0.00} s"));
                Console.WriteLine($"  {npy} ({image.Height}×{image.Width} float32)");
                Console.WriteLine($"  {png}");
                Console.WriteLine("NOT FOR CLINICAL USE — research software, not validated.");
            }

            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
