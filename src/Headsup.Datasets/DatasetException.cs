namespace Headsup.Datasets;

/// <summary>A dataset, manifest, split or image could not be used; <see cref="FilePath"/> names the file when there is one.</summary>
public class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetException()
        : this("dataset error")
    {
    }

    /// <summary>Creates the exception.</summary>
    public DatasetException(string message)
        : this(null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DatasetException(string message, Exception? innerException)
        : this(null, message, innerException)
    {
    }

    /// <summary>Creates the exception about <paramref name="filePath"/>; the message starts with the path.</summary>
    public DatasetException(string? filePath, string message, Exception? innerException = null)
        : base(filePath is null ? message : $"{filePath}: {message}", innerException)
    {
        FilePath = filePath;
        Problem = message;
    }

    /// <summary>The file concerned, or null.</summary>
    public string? FilePath { get; }

    /// <summary>What is wrong, without the file name (for reports that list the file separately).</summary>
    public string Problem { get; }
}

/// <summary>A manifest was written by a newer version of HEADS UP than this one can read.</summary>
public sealed class ManifestVersionException : DatasetException
{
    /// <summary>Creates the exception.</summary>
    public ManifestVersionException(string filePath, int version, int supported)
        : base(filePath, $"manifest format version {version} is newer than this program supports ({supported}); update HEADS UP")
    {
        Version = version;
        SupportedVersion = supported;
    }

    /// <summary>The manifest's format version.</summary>
    public int Version { get; }

    /// <summary>The newest version this build reads.</summary>
    public int SupportedVersion { get; }
}
