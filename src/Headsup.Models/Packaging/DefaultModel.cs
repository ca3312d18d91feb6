namespace Headsup.Models.Packaging;

/// <summary>Where the model shipped with HEADS UP (models/default) is found: next to the program, else in the working folder or a parent of it.</summary>
public static class DefaultModel
{
    /// <summary>Folder of the shipped default model, relative to the program or the repository.</summary>
    public const string Relative = "models/default";

    /// <summary>The default model's folder; null when it is not found.</summary>
    public static string? Find()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, Relative) };
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, Relative));
        }

        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "model.json")));
    }
}
