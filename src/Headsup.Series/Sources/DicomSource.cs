using Headsup.Dicom;

namespace Headsup.Series.Sources;

/// <summary>
/// One input that may hold a DICOM instance: a file on disk or an entry of a zip archive. It keeps only a name and
/// a way to open the bytes again, so later stages can re-read pixel data without the scan holding them in memory.
/// </summary>
public abstract class DicomSource
{
    /// <summary>Creates the source.</summary>
    protected DicomSource(string name, string location)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(location);
        Name = name;
        Location = location;
    }

    /// <summary>The path relative to the scanned input, with <c>/</c> separators (the file name for a single file).</summary>
    public string Name { get; }

    /// <summary>Where the bytes are, for messages: the full file path, or <c>archive.zip!entry/path</c>.</summary>
    public string Location { get; }

    /// <summary>The length the container declares, when known (file length or the zip entry's uncompressed size).</summary>
    public abstract long? DeclaredLength { get; }

    /// <summary>Opens the bytes for reading. The caller disposes the stream.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    /// <exception cref="ArchiveException">The archive changed, is corrupt, or the entry breaks a limit.</exception>
    public abstract Stream OpenRead();

    /// <summary>Reads and parses the whole instance (pixel data included) with the given read options.</summary>
    /// <exception cref="DicomParseException">The bytes are not well-formed DICOM or exceed <see cref="DicomReadOptions.MaxFileBytes"/>.</exception>
    public DicomFile Open(DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var stream = OpenRead();
        return DicomFileReader.Open(stream, Location, options);
    }

    /// <inheritdoc/>
    public override string ToString() => Location;
}

/// <summary>A DICOM candidate stored as a plain file.</summary>
public sealed class FileDicomSource : DicomSource
{
    /// <summary>Creates the source.</summary>
    public FileDicomSource(string path, string name)
        : base(name, Path.GetFullPath(path))
    {
        FilePath = Path.GetFullPath(path);
    }

    /// <summary>The full path of the file.</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public override long? DeclaredLength
    {
        get
        {
            var info = new FileInfo(FilePath);
            return info.Exists ? info.Length : null;
        }
    }

    /// <inheritdoc/>
    public override Stream OpenRead() =>
        new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
}
