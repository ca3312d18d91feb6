using Headsup.Series.Grouping;

namespace Headsup.Series;

/// <summary>A file or archive entry that could not be used, and why.</summary>
/// <param name="Source">The file path or <c>archive.zip!entry</c>.</param>
/// <param name="Reason">Why, e.g. "not a DICOM file".</param>
/// <param name="Error">The exception behind it, when there was one.</param>
public sealed record ScanFailure(string Source, string Reason, Exception? Error = null)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Source}: {Reason}";
}

/// <summary>What a scan found: studies (each with its series), plus files that failed and files skipped on purpose.</summary>
public sealed class ScanResult
{
    /// <summary>Creates the result.</summary>
    public ScanResult(IReadOnlyList<DicomStudy> studies, IReadOnlyList<ScanFailure> failures, IReadOnlyList<ScanFailure> skipped, int sourcesScanned)
    {
        Studies = studies;
        Failures = failures;
        Skipped = skipped;
        SourcesScanned = sourcesScanned;
    }

    /// <summary>The studies, ordered by Study Instance UID.</summary>
    public IReadOnlyList<DicomStudy> Studies { get; }

    /// <summary>Files that are not DICOM, cannot be read or lack identifying UIDs; the rest of the scan went on.</summary>
    public IReadOnlyList<ScanFailure> Failures { get; }

    /// <summary>Files skipped on purpose, such as DICOMDIR media directories.</summary>
    public IReadOnlyList<ScanFailure> Skipped { get; }

    /// <summary>Sources read (files and archive entries).</summary>
    public int SourcesScanned { get; }

    /// <summary>Instances kept over all studies.</summary>
    public int InstanceCount => Studies.Sum(s => s.InstanceCount);

    /// <summary>The path that was scanned, as given.</summary>
    public string Input { get; init; } = string.Empty;

    /// <summary>True when the input was one plain file (not a folder or an archive).</summary>
    public bool InputIsSingleFile { get; init; }

    /// <summary>
    /// Throws when a folder or archive gave no DICOM instance at all: there is nothing to work on. A single file that
    /// is not DICOM is a failed input instead (it is in <see cref="Failures"/>).
    /// </summary>
    /// <exception cref="NoDicomFoundException">A folder or archive without any usable DICOM instance.</exception>
    public void ThrowIfNoDicomFound()
    {
        if (InstanceCount == 0 && !InputIsSingleFile)
        {
            throw new NoDicomFoundException(Input, SourcesScanned, Failures.Count);
        }
    }
}
