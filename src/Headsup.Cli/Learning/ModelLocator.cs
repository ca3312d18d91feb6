using Headsup.Models;
using Headsup.Models.Packaging;
using Headsup.Triage;

namespace Headsup.Cli.Learning;

/// <summary>Finds the model package to use: --model, else the default model shipped with HEADS UP.</summary>
internal static class ModelLocator
{
    public static string Resolve(string? model) =>
        !string.IsNullOrEmpty(model) ? model
        : DefaultModel.Find() ?? throw new UsageException("no --model given and the default model (models/default) was not found next to the program");

    /// <summary>
    /// Loads a package for triage with one Torch thread per core; prints the reason and returns null when the package
    /// cannot be used (the caller exits with <see cref="ExitCodes.CouldNotRun"/>).
    /// </summary>
    public static StudyTriager? LoadTriager(string location)
    {
        TorchSharp.torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
        try
        {
            return StudyTriager.Load(location);
        }
        catch (ModelException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return null;
        }
    }
}
