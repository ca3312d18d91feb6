using System.CommandLine;

namespace Headsup.Cli;

/// <summary>The options several verbs share, defined once so they read and behave the same everywhere.</summary>
internal static class SharedOptions
{
    /// <summary>The default model's description.</summary>
    public const string DefaultModel = "Model package folder or zip (default: the shipped model, models/default)";

    /// <summary><c>--model &lt;dir|zip&gt;</c>: a model package; absent = the shipped default model.</summary>
    public static Option<string?> Model(string description = DefaultModel) => new("--model") { Description = description };

    /// <summary><c>--data &lt;src&gt;...</c>: labelled sources, repeatable.</summary>
    public static Option<string[]> Data(string description, bool required = true) =>
        new("--data") { Description = description, Required = required, AllowMultipleArgumentsPerToken = true };

    /// <summary><c>--out &lt;dir&gt;</c>: the output folder (required).</summary>
    public static Option<string> Out(string description = "Output folder") => new("--out") { Description = description, Required = true };

    /// <summary><c>--group-near-duplicates</c>: before splitting, images without a patient id that show the same slice share one.</summary>
    public static Option<bool> GroupNearDuplicates() => new("--group-near-duplicates")
    {
        Description = "Before the patient split, give images without a patient id that show the same slice (another export at another crop or window, an adjacent slice of one head) one patient id, so no copy of a validation image is in training",
    };

    /// <summary><c>--near-duplicate-threshold</c>: the signature correlation that links two images.</summary>
    public static Option<double> NearDuplicateThreshold() => new("--near-duplicate-threshold")
    {
        Description = "With --group-near-duplicates: the signature correlation (0.5–1) at or above which two images are one slice",
        DefaultValueFactory = _ => Headsup.Datasets.NearDuplicates.DefaultThreshold,
    };
}
