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
}
