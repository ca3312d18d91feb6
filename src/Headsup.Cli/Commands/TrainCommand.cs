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
/// `headsup train --data &lt;src&gt;... [--recipe r] [--arch a] [--resume-from &lt;package&gt;] --out &lt;model-dir&gt;`:
/// patient-level split, training with augmentation and early stopping on validation AP, Platt calibration and an
/// operating point on validation, and a model package. A checkpoint folder (&lt;out&gt;.checkpoint) is kept while
/// training; --resume continues from it. --resume-from fine-tunes a package (<see cref="FineTuning"/>): its weights,
/// recipe, architecture, size and outputs, a lower learning rate, and the parent recorded in the new package.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = SharedOptions.Data("Labelled data: labels CSV, RSNA stage_2_train.csv, phantom folder or manifest (repeatable)");
        var recipe = new Option<string?>("--recipe") { Description = "gray-brain or brain-plus (PNG and DICOM; brain-plus adds windows of 0–200 and 0–1000 HU, which keep calcification apart from blood where HU exist), e1, e2, e3, e4, context (DICOM only); default gray-brain, or the --resume-from package's" };
        recipe.AcceptOnlyFromAmong([.. InputRecipe.Names]);
        var arch = new Option<string?>("--arch") { Description = "small-cnn, resnet18, resnet34, resnet18-imagenet; default resnet18-imagenet, or the --resume-from package's" };
        arch.AcceptOnlyFromAmong("small-cnn", "resnet18", "resnet34", "resnet18-imagenet");
        var size = new Option<int?>("--size") { Description = "Input size (square); default 224, or the --resume-from package's" };
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs", DefaultValueFactory = _ => 20 };
        var patience = new Option<int>("--patience") { Description = "Stop after this many epochs without better validation AP", DefaultValueFactory = _ => 6 };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 16 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (AdamW); default 1e-3, or 1e-4 with --resume-from" };
        var augment = new Option<double>("--augment") { Description = "Augmentation strength 0–1", DefaultValueFactory = _ => 0.7 };
        var windowAugment = new Option<double>("--window-augment") { Description = "Probability 0–1 of re-mapping each training image as if shown at a random brain window (centre 30–50, width 70–150 HU); gray-brain and context only", DefaultValueFactory = _ => 0 };
        var headMask = new Option<bool>("--head-mask") { Description = "Zero everything outside the head (text, rulers, table) before the crop; recorded in the package, so evaluate, detect and explain do the same" };
        var synthetic = new Option<double>("--synthetic-per-negative") { Description = "Synthetic positives per training negative by lesion insertion (0 = none)", DefaultValueFactory = _ => 0 };
        var displayDropout = new Option<double>("--display-dropout") { Description = "Probability 0–1 of showing each training input built from HU as a display image of it would arrive (clipped to the brain window, then read through the same windows); brain-plus only", DefaultValueFactory = _ => 0 };
        var displayBone = new Option<bool>("--display-bone") { Description = "Read a display image's skull (white, found by where it is) as bone, not as the top of the brain window, in display images and display dropout alike; recorded in the package; brain-plus only" };
        var displayBoneFraction = new Option<double>("--display-bone-fraction") { Description = "With --display-bone(-saturated): the fraction of display-dropout images whose skull is read as bone, drawn per image; the rest keep the plain reading (default 1)", DefaultValueFactory = _ => 1 };
        var displayDropoutRealOnly = new Option<bool>("--display-dropout-real-only") { Description = "Display dropout for real inputs only: inserted lesions (--synthetic-per-negative) always keep their HU channels" };
        var displayBoneSaturated = new Option<bool>("--display-bone-saturated") { Description = "As --display-bone, but only where the skull is cleanly clipped (90 % of it at 254 or above, as in an export straight from HU); film-style, resized or lossy exports keep the plain reading; brain-plus only" };
        var mimics = new Option<double>("--synthetic-mimics") { Description = "Bleed mimics per training negative: copies of real negatives with a physiological calcification (choroid plexus, pineal, basal ganglia, falx) inserted, kept negative (0 = none)", DefaultValueFactory = _ => 0 };
        var syntheticRefresh = new Option<bool>("--synthetic-refresh") { Description = "Draw new lesions into a new set of negatives before every epoch (more distinct lesions on the same real anatomy); needs --synthetic-per-negative" };
        var hardNegatives = new Option<double>("--hard-negatives") { Description = "Hard-negative mining h ≥ 0: from epoch 2 each real negative is drawn with weight × (1 + h·p), p = the probability the network last gave it (0 = off)", DefaultValueFactory = _ => 0 };
        var sourceBalance = new Option<double>("--source-balance") { Description = "Draw inputs with weight count(source)^-b each epoch (0 = plain shuffle, 1 = sources equally often)", DefaultValueFactory = _ => 0 };
        var noMulti = new Option<bool>("--no-subtypes") { Description = "Train 'any' only, even when subtype labels exist" };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of patients for validation", DefaultValueFactory = _ => 0.2 };
        var averageFrom = new Option<int>("--average-from-epoch") { Description = "Weight averaging: keep the mean of the weights at the end of every epoch from this one on (BatchNorm statistics included) instead of the best epoch's (0 = off)", DefaultValueFactory = _ => 0 };
        var groupNearDuplicates = SharedOptions.GroupNearDuplicates();
        var nearDuplicateThreshold = SharedOptions.NearDuplicateThreshold();
        var seed = new Option<int>("--seed") { Description = "Seed of the split and, unless --training-seed is given, of everything else", DefaultValueFactory = _ => 1 };
        var trainingSeed = new Option<int?>("--training-seed") { Description = "Seed of initialisation, order, augmentation and lesion insertion (default: --seed): another draw of the same training on the same split" };
        var soup = new Option<int>("--soup") { Description = "Model soup: train this many networks on the same split (training seeds t, t+1, …) and keep the mean of their weights as one network (1 = off; at most 8)", DefaultValueFactory = _ => 1 };
        var testTimeAugmentation = new Option<string?>("--test-time-augmentation") { Description = "What the package's scores average over at inference: none, or horizontal-flip (the mean of the slice's and its mirror image's logits; two network passes a slice). Recorded in the package, so evaluate and detect score so; calibration and operating point are fitted on validation scores made so. Default none, or the --resume-from package's" };
        testTimeAugmentation.AcceptOnlyFromAmong(TestTimeAugmentations.NoneName, TestTimeAugmentations.HorizontalFlipName);
        var threads = new Option<int>("--threads") { Description = "Torch threads (default: processor count)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var output = SharedOptions.Out("Model package folder to write");
        var resume = new Option<bool>("--resume") { Description = "Continue from <out>.checkpoint" };
        var resumeFrom = new Option<string?>("--resume-from") { Description = "Fine-tune: start from this model package's weights (folder or zip, e.g. models/default) instead of ImageNet; takes its recipe, architecture, size and subtype heads" };
        var weights = new Option<string>("--weights") { Description = "Stored precision: float16, int8 (blocks with float16 scales, about 0.3 of float32) or float32", DefaultValueFactory = _ => "float16" };
        weights.AcceptOnlyFromAmong("float16", "int8", "float32");
        var name = new Option<string?>("--name") { Description = "Model name; default headsup-ich, or <parent name>-finetuned with --resume-from" };
        var version = new Option<string>("--model-version") { DefaultValueFactory = _ => "1.0.0" };
        var command = new Command("train", "Train a hemorrhage classifier and write a model package")
        {
            data, recipe, arch, size, epochs, patience, batch, lr, augment, windowAugment, displayDropout, displayDropoutRealOnly, displayBone, displayBoneSaturated, displayBoneFraction, headMask, synthetic, mimics, syntheticRefresh, hardNegatives, sourceBalance, noMulti, valFraction, averageFrom, groupNearDuplicates, nearDuplicateThreshold, seed, trainingSeed, soup, testTimeAugmentation, threads, output, resume, resumeFrom, weights, name, version,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var defaults = new TrainingOptions
            {
                Size = 224,
                Epochs = Check(parse.GetValue(epochs), 1, 1000, "--epochs"),
                Patience = Check(parse.GetValue(patience), 1, 1000, "--patience"),
                BatchSize = Check(parse.GetValue(batch), 2, 1024, "--batch-size"),
                Augmentation = parse.GetValue(augment),
                HeadMask = parse.GetValue(headMask),
                WindowAugmentation = Check(parse.GetValue(windowAugment), 0, 1, "--window-augment"),
                DisplayDropout = Check(parse.GetValue(displayDropout), 0, 1, "--display-dropout"),
                DisplayDropoutRealOnly = parse.GetValue(displayDropoutRealOnly),
                DisplayBoneFraction = Check(parse.GetValue(displayBoneFraction), 0, 1, "--display-bone-fraction"),
                DisplayBone = parse.GetValue(displayBoneSaturated) ? DisplayBoneMode.SaturatedSkull : parse.GetValue(displayBone) ? DisplayBoneMode.Skull : DisplayBoneMode.Off,
                SyntheticPositivesPerNegative = parse.GetValue(synthetic),
                SyntheticMimicsPerNegative = Check(parse.GetValue(mimics), 0, 10, "--synthetic-mimics"),
                SyntheticRefresh = parse.GetValue(syntheticRefresh),
                HardNegatives = Check(parse.GetValue(hardNegatives), 0, 100, "--hard-negatives"),
                SourceBalance = Math.Clamp(parse.GetValue(sourceBalance), 0, 1),
                ValidationFraction = parse.GetValue(valFraction),
                GroupNearDuplicates = parse.GetValue(groupNearDuplicates),
                AverageFromEpoch = Check(parse.GetValue(averageFrom), 0, 1000, "--average-from-epoch"),
                NearDuplicateThreshold = Check(parse.GetValue(nearDuplicateThreshold), 0.5, 1, "--near-duplicate-threshold"),
                Seed = parse.GetValue(seed),
                TrainingSeed = parse.GetValue(trainingSeed),
                Soup = Check(parse.GetValue(soup), 1, TrainingOptions.MaxSoup, "--soup"),
                Threads = Check(parse.GetValue(threads), 1, 256, "--threads"),
                Precision = parse.GetValue(weights) switch { "int8" => WeightsPrecision.Int8Blocks, "float32" => WeightsPrecision.Float32, _ => WeightsPrecision.Float16 },
            };
            var given = new NetworkChoices(
                parse.GetValue(recipe),
                parse.GetValue(arch),
                parse.GetValue(size) is int s ? Check(s, 64, 1024, "--size") : null,
                parse.GetValue(lr),
                parse.GetValue(noMulti) ? false : null)
            {
                TestTimeAugmentation = parse.GetValue(testTimeAugmentation) is { } named && TestTimeAugmentations.TryParse(named, out var tta) ? tta : null,
            };
            var outDir = parse.GetValue(output)!;
            var parentLocation = parse.GetValue(resumeFrom);
            if (parentLocation is not null && string.Equals(Path.GetFullPath(parentLocation).TrimEnd('/'), Path.GetFullPath(outDir).TrimEnd('/'), StringComparison.Ordinal))
            {
                throw new UsageException("--out must not be the --resume-from package: the new package would replace its parent");
            }

            var sources = parse.GetValue(data)!;
            var dataset = DataArguments.Load(sources);
            ModelPackage? parent = null;
            try
            {
                parent = parentLocation is null ? null : ModelPackage.Load(parentLocation);
                var options = Resolve(defaults, given, parent);
                if (options.WindowAugmentationProblem is { } problem)
                {
                    throw new UsageException("--window-augment: " + problem);
                }

                if (options.DisplayDropoutProblem is { } dropoutProblem)
                {
                    throw new UsageException("--display-dropout: " + dropoutProblem);
                }

                if (options.DisplayBoneProblem is { } boneProblem)
                {
                    throw new UsageException((options.DisplayBone == DisplayBoneMode.SaturatedSkull ? "--display-bone-saturated: " : "--display-bone: ") + boneProblem);
                }

                if (options.DisplayBoneFractionProblem is { } fractionProblem)
                {
                    throw new UsageException("--display-bone-fraction: " + fractionProblem);
                }

                if (options.DisplayDropoutRealOnlyProblem is { } realOnlyProblem)
                {
                    throw new UsageException("--display-dropout-real-only: " + realOnlyProblem);
                }

                if (options.SyntheticRefresh && options.SyntheticPositivesPerNegative <= 0)
                {
                    throw new UsageException("--synthetic-refresh draws new lesions each epoch: it needs --synthetic-per-negative > 0");
                }

                if (InputRecipe.Parse(options.Recipe).NeedsHu && dataset.Samples.Any(s => s.Format != ImageFormat.Dicom))
                {
                    throw new UsageException($"recipe {options.Recipe} needs Hounsfield units, but the data has PNG/JPEG images; use --recipe {InputRecipe.GrayBrain.Name}");
                }

                var observer = new ConsoleTrainingObserver();
                var result = TrainingRun.Run(
                    new TrainingRequest
                    {
                        Samples = dataset.Samples,
                        Sources = sources,
                        Options = options,
                        OutputDirectory = outDir,
                        CheckpointDirectory = outDir.TrimEnd('/') + ".checkpoint",
                        Resume = parse.GetValue(resume),
                        Parent = parent,
                        ModelName = parse.GetValue(name) ?? (parent is null ? "headsup-ich" : FineTuning.DefaultName(parent.Manifest)),
                        ModelVersion = parse.GetValue(version)!,
                    },
                    observer,
                    cancellationToken);
                PrintSummary(result, outDir);
                result.Outcome.Network.Dispose();
                return Task.FromResult(result.Problems.Count > 0 || dataset.Problems.Count > 0 ? ExitCodes.SomeInputsFailed : ExitCodes.Ok);
            }
            catch (Exception ex) when (ex is ModelException or DatasetException or InputException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return Task.FromResult(ExitCodes.CouldNotRun);
            }
            finally
            {
                parent?.Dispose();
            }
        });
        return command;
    }

    private static TrainingOptions Resolve(TrainingOptions defaults, NetworkChoices given, ModelPackage? parent)
    {
        try
        {
            return FineTuning.Resolve(defaults, given, parent?.Manifest);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }

    internal static void PrintSummary(TrainingResult result, string outDir)
    {
        var m = result.Manifest;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model package: {outDir}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {m.Architecture}, {m.Input.Recipe} {m.Input.Size}², outputs {string.Join(',', m.Outputs)}; best epoch {m.Training.BestEpoch} of {m.Training.Epochs}{(m.Training.AveragedEpochs is { Count: > 0 } averaged ? $", weights averaged over epochs {averaged[0]}–{averaged[^1]}" : "")}{(m.Training.Soup is { Count: > 0 } members ? $", weights averaged over {members.Count} networks (training seeds {string.Join(", ", members.Select(x => x.TrainingSeed))})" : "")}; {m.Training.Seconds:0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  trained on {m.Training.TrainSamples} inputs ({m.Training.TrainPositives} positive, {m.Training.SyntheticPositives} synthetic{(m.Training.SyntheticNegatives > 0 ? $", {m.Training.SyntheticNegatives} synthetic negatives" : "")}); validated on {m.Training.ValidationSamples} ({m.Training.ValidationPositives} positive)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  operating point {m.Thresholds.OperatingPoint:0.000}: {m.Thresholds.OperatingPointRule}"));
        if (m.Training.Parent is { } parent)
        {
            Console.WriteLine($"  fine-tuned from {parent.Name} {parent.Version} (weights sha256 {parent.WeightsSha256}) at learning rate {m.Training.Options.GetValueOrDefault("learning_rate")}");
        }

        foreach (var (key, value) in m.Metrics)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {key,-44} {(value is double v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "undefined")}"));
        }

        Console.WriteLine("  slice level, validation split of the training data (not a held-out test). NOT FOR CLINICAL USE.");
    }

    private static int Check(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw new UsageException($"{name} must be between {min} and {max} (got {value})");

    private static double Check(double value, double min, double max, string name) =>
        value >= min && value <= max ? value : throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max} (got {value})"));
}
