using Xunit;
namespace Headsup.Testing;

/// <summary>
/// Finds the repository root and the shared real-data folder (../shared/data beside the repository). Tests that need
/// the real files call <see cref="RequireSharedData"/>, which skips the test with a clear message when it is absent.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding Headsup.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The shared data folder, or null when absent. HEADSUP_SHARED_DATA overrides the location.</summary>
    public static string? SharedDataRoot
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("HEADSUP_SHARED_DATA");
            var candidate = string.IsNullOrEmpty(fromEnv) ? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data")) : fromEnv;
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>Returns a path inside the shared data folder, skipping the test when the folder or path is absent.</summary>
    public static string RequireSharedData(params string[] parts)
    {
        var root = SharedDataRoot;
        Skip.If(root is null, "../shared/data is not present beside the repository: real-data conformance test skipped");
        var path = Path.Combine([root!, .. parts]);
        Skip.If(!File.Exists(path) && !Directory.Exists(path), $"shared data path {Path.Combine(parts)} is absent: test skipped");
        return path;
    }

    /// <summary>A fresh temporary folder, deleted when disposed.</summary>
    public static TempFolder CreateTempFolder() => new();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Headsup.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Headsup.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "headsup-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a test's temporary folder may still be held by a child process.
        }
    }
}
