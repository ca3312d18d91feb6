using Headsup.Inputs;
using System.CommandLine;
using System.Globalization;
using Headsup.Cli.Learning;
using Headsup.Datasets;
using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Training;

namespace Headsup.Cli.Commands;

/// <summary>
/// `headsup train --data &lt;src&gt;... [--recipe r] [--arch a] --out &lt;model-dir&gt;`: patient-level split, training with
/// augmentation and early stopping on validation AP, Platt calibration and an operating point on validation, and a
/// model package. A checkpoint folder (&lt;out&gt;.checkpoint) is kept while training; --resume continues from it.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled data: labels CSV, RSNA stage_2_train.csv, phantom folder or manifest (repeatable)");
        var recipe = new Option<string>("--recipe") { Description = "gray-brain (PNG and DICOM), e1, e2, e3, e4, context (DICOM only)", DefaultValueFactory = _ => "gray-brain" };
        recipe.AcceptOnlyFromAmong("gray-brain", "e1", "e2", "e3", "e4", "context");
        var arch = new Option<string>("--arch") { Description = "small-cnn, resnet18, resnet34, resnet18-imagenet", DefaultValueFactory = _ => "resnet18-imagenet" };
        arch.AcceptOnlyFromAmong("small-cnn", "resnet18", "resnet34", "resnet18-imagenet");
        var size = new Option<int>("--size") { Description = "Input size (square)", DefaultValueFactory = _ => 224 };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 20 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without better validation AP", DefaultValueFactory = _ => 6 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW)", DefaultValueFactory = _ => 1e-3 };
        var augment = new Option<double>("--augment") { Description = "Augmentation strength 0–1", DefaultValueFactory = _ => 0.7 };
        var synthetic = new Option<double>("--synthetic-per-negative") { Description = "Synthetic positives per training negative by lesion insertion (0 = none)", DefaultValueFactory = _ => 0 };
        var sourceBalance = new Option<double>("--source-balance") { Description = "Draw inputs with weight count(source)^-b each epoch (0 = plain shuffle, 1 = sources equally often)", DefaultValueFactory = _ => 0 };
        var noMulti = new Option<bool>("--no-subtypes") { Description = "Train 'any' only, even when subtype labels exist" };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of patients for validation", DefaultValueFactory = _ => 0.2 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch threads (default: processor count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = SharedOptions.Out("Model package folder to write");
        var resume = new Option<bool>("--resume") { Description = "Continue from <out>.checkpoint" };
        var weights = new Option<string>("--weights") { Description = "Stored precision: float16, int8 (blocks with float16 scales, about 0.3 of float32) or float32", DefaultValueFactory = _ => "float16" };
        weights.AcceptOnlyFromAmong("float16", "int8", "float32");
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "headsup-ich" };
        var version = new Option<string>("--model-version") { DefaultValueFactory = _ => "1.0.0" };
        var command = new Command("train", "Train a hemorrhage classifier and write a model package")
        {
            data, recipe, arch, size, epochs, patience, batch, lr, augment, synthetic, sourceBalance, noMulti, valFraction, seed, threads, output, resume, weights, name, version,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var options = new TrainingOptions
            {
                Recipe = parse.GetValue(recipe)!,
                Architecture = parse.GetValue(arch)!,
                Size = Check(parse.GetValue(size), 64, 1024, "--size"),
                Epochs = Check(parse.GetValue(epochs), 1, 1000, "--epochs"),
                Patience = Check(parse.GetValue(patience), 1, 1000, "--patience"),
                BatchSize = Check(parse.GetValue(batch), 2, 1024, "--batch-size"),
                LearningRate = parse.GetValue(lr),
                Augmentation = parse.GetValue(augment),
                SyntheticPositivesPerNegative = parse.GetValue(synthetic),
                SourceBalance = Math.Clamp(parse.GetValue(sourceBalance), 0, 1),
                MultiLabel = !parse.GetValue(noMulti),
                ValidationFraction = parse.GetValue(valFraction),
                Seed = parse.GetValue(seed),
                Threads = Check(parse.GetValue(threads), 1, 256, "--threads"),
                Precision = parse.GetValue(weights) switch { "int8" => WeightsPrecision.Int8Blocks, "float32" => WeightsPrecision.Float32, _ => WeightsPrecision.Float16 },
            };
            var sources = parse.GetValue(data)!;
            var dataset = DataArguments.Load(sources);
            if (options.Recipe != "gray-brain" && dataset.Samples.Any(s => s.Format != ImageFormat.Dicom))
            {
                throw new UsageException($"recipe {options.Recipe} needs Hounsfield units, but the data has PNG/JPEG images; use --recipe gray-brain");
            }

            var outDir = parse.GetValue(output)!;
            var observer = new ConsoleTrainingObserver();
            TrainingResult result;
            try
            {
                result = TrainingRun.Run(
                    new TrainingRequest
                    {
                        Samples = dataset.Samples,
                        Sources = sources,
                        Options = options,
                        OutputDirectory = outDir,
                        CheckpointDirectory = outDir.TrimEnd('/') + ".checkpoint",
                        Resume = parse.GetValue(resume),
                        ModelName = parse.GetValue(name)!,
                        ModelVersion = parse.GetValue(version)!,
                    },
                    observer,
                    cancellationToken);
            }
            catch (Exception ex) when (ex is ModelException or DatasetException or InputException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }

            PrintSummary(result, outDir);
            result.Outcome.Network.Dispose();
            return Task.FromResult(result.Problems.Count > 0 || dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
        });
        return command;
    }

    internal static void PrintSummary(TrainingResult result, string outDir)
    {
        var m = result.Manifest;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model package: {outDir}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Architecture}, {m.Input.Recipe} {m.Input.Size}², outputs {string.Join(',', m.Outputs)}; best epoch {m.Training.BestEpoch} of {m.Training.Epochs}; {m.Training.Seconds:0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trained on {m.Training.TrainSamples} inputs ({m.Training.TrainPositives} positive, {m.Training.SyntheticPositives} synthetic); validated on {m.Training.ValidationSamples} ({m.Training.ValidationPositives} positive)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  operating point {m.Thresholds.OperatingPoint:0.000}: {m.Thresholds.OperatingPointRule}"));
        foreach (var (key, value) in m.Metrics)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-44} {(value is double v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "undefined")}"));
        }

        Console.WriteLine("  slice level, validation split of the training data (not a held-out test). NOT FOR CLINICAL USE.");
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new UsageException($"{name} must be between {min} and {max} (got {value})");
}
