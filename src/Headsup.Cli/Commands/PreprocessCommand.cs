using System.CommandLine;
using System.Globalization;
using Headsup.Imaging.Geometry;
using Headsup.Imaging.Recipes;
using Headsup.Imaging.Windowing;
using Headsup.Inputs.Preprocessing;
using Headsup.Series;
using Headsup.Series.Sources;
using Spectre.Console;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup preprocess &lt;input&gt; --recipe hu|e1|e2|e3|e4|context [--size N] [--format npy|png] --out &lt;dir&gt;`.
/// The output mirrors the input: &lt;out&gt;/&lt;path relative to the input&gt;.npy (or .png); multi-frame files get
/// .frameK before the extension. npy arrays are float32 (uint8 for e3), H×W for one channel, H×W×C otherwise.
/// Parses the options, runs <see cref="Preprocessor"/>, renders its progress and prints the summary and failures.
/// Exit 0 ok, 1 some inputs failed, 2 usage, 3 could not run (output folder, unreadable input folder, refused archive).
/// </summary>
internal static class PreprocessCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A DICOM file, a folder (recursive) or a .zip" };
        var recipe = new Option<string>("--recipe") { Description = "hu, e1, e2, e3, e4 or context", Required = true };
        recipe.AcceptOnlyFromAmong("hu", "e1", "e2", "e3", "e4", "context");
        var size = new Option<int?>("--size") { Description = "Resize to N×N (default: keep rows × columns)" };
        var format = new Option<string>("--format") { Description = "npy or png", DefaultValueFactory = _ => "npy" };
        format.AcceptOnlyFromAmong("npy", "png");
        var output = SharedOptions.Out();
        var resize = new Option<string>("--resize") { Description = "area or bilinear", DefaultValueFactory = _ => "area" };
        resize.AcceptOnlyFromAmong("area", "bilinear");
        var crop = new Option<bool>("--crop-head") { Description = "Crop to the head (square box) before resizing" };
        var e3Mode = new Option<string>("--e3-quantization") { Description = "rounded (correct) or paper (uint8 of [0,1] floats, as the paper's code)", DefaultValueFactory = _ => "rounded" };
        e3Mode.AcceptOnlyFromAmong("rounded", "paper");
        var alpha = new Option<float>("--e4-alpha") { Description = "E4 red weight", DefaultValueFactory = _ => 1f };
        var beta = new Option<float>("--e4-beta") { Description = "E4 green/blue weight", DefaultValueFactory = _ => 0.5f };
        var context = new Option<string>("--context-channels") { Description = "brain (3 channels) or windows (9 channels)", DefaultValueFactory = _ => "brain" };
        context.AcceptOnlyFromAmong("brain", "windows");
        var brain = new Option<string>("--brain-window") { Description = "center/width", DefaultValueFactory = _ => "40/80" };
        var subdural = new Option<string>("--subdural-window") { Description = "center/width", DefaultValueFactory = _ => "80/200" };
        var soft = new Option<string>("--soft-window") { Description = "center/width", DefaultValueFactory = _ => "40/380" };
        var noRsna = new Option<bool>("--no-rsna-fix") { Description = "Do not apply the paper's RSNA 12-bit correction" };

        var command = new Command("preprocess", "Convert DICOM CT to model inputs (HU, the paper's E1–E4, 2.5D context)")
        {
            input, recipe, size, format, output, resize, crop, e3Mode, alpha, beta, context, brain, subdural, soft, noRsna,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            PreprocessOptions options;
            try
            {
                var recipeOptions = new RecipeOptions
                {
                    Kind = Enum.Parse<RecipeKind>(parse.GetValue(recipe)!, ignoreCase: true),
                    Size = parse.GetValue(size),
                    ResizeMethod = parse.GetValue(resize) == "bilinear" ? ResizeMethod.Bilinear : ResizeMethod.Area,
                    CropToHead = parse.GetValue(crop),
                    E3Mode = parse.GetValue(e3Mode) == "paper" ? E3Quantization.PaperTruncation : E3Quantization.Rounded,
                    E4RedWeight = parse.GetValue(alpha),
                    E4GreenBlueWeight = parse.GetValue(beta),
                    ContextChannels = parse.GetValue(context) == "windows" ? ContextChannels.ThreeWindows : ContextChannels.Brain,
                    BrainWindow = HuWindow.Parse(parse.GetValue(brain)!),
                    SubduralWindow = HuWindow.Parse(parse.GetValue(subdural)!),
                    SoftTissueWindow = HuWindow.Parse(parse.GetValue(soft)!),
                };
                var inputPath = parse.GetValue(input)!;
                if (!File.Exists(inputPath) && !Directory.Exists(inputPath))
                {
                    throw new ScanInputException(inputPath, "no such file or folder");
                }

                var fileFormat = parse.GetValue(format) == "png" ? PreprocessFormat.Png : PreprocessFormat.Npy;
                if (!PreprocessOptions.Supports(fileFormat, recipeOptions))
                {
                    var kind = recipeOptions.Kind;
                    throw new UsageException($"--format png cannot hold recipe {kind} ({recipeOptions.Channels} channel(s) of {(kind == RecipeKind.Hu ? "HU" : "windows")}); use --format npy");
                }

                options = new PreprocessOptions(inputPath, parse.GetValue(output)!, recipeOptions, fileFormat) { ApplyRsnaCorrection = !parse.GetValue(noRsna) };
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                throw new UsageException(ex.Message);
            }

            return Task.FromResult(Run(options, cancellationToken));
        });
        return command;
    }

    private static int Run(PreprocessOptions options, CancellationToken cancellationToken)
    {
        var recipe = options.Recipe;
        var name = recipe.Kind.ToString().ToLowerInvariant();
        PreprocessResult result;
        try
        {
            result = AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx => new Preprocessor(options).Run(new ProgressBar(ctx, "preprocess " + name), cancellationToken));
        }
        catch (PreprocessOutputException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }
        catch (SeriesException ex) when (ex is ScanInputException or ArchiveException)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return ExitCodes.CouldNotRun;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"preprocess: {result.SourcesScanned} file(s) scanned, {result.Images} image(s), {result.Written} output(s) written to {options.OutputFolder}, recipe {name} ({recipe.Channels} channel(s){(recipe.Size is { } n ? $", {n}×{n}" : string.Empty)}), {result.Failures.Count} failure(s)"));
        foreach (var line in result.Failures.Select(f => $"{f.Source}: {f.Reason}").Order(StringComparer.Ordinal))
        {
            Console.Error.WriteLine("failed: " + line);
        }

        return result.HasFailures ? ExitCodes.SomeInputsFailed : ExitCodes.Ok;
    }

    /// <summary>Renders conversion progress as one Spectre.Console bar, added when conversion starts (after the scan).</summary>
    private sealed class ProgressBar(ProgressContext context, string description) : IProgress<PreprocessProgress>
    {
        private readonly Lock _lock = new();
        private ProgressTask? _task;

        public void Report(PreprocessProgress value)
        {
            if (value.Stage != PreprocessStage.Converting)
            {
                return;
            }

            lock (_lock)
            {
                _task ??= context.AddTask(description, maxValue: Math.Max(1, value.Total));
                _task.Value = Math.Max(_task.Value, value.Done);
            }
        }
    }
}
