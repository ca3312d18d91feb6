namespace Headsup.Dicom;

/// <summary>A parsed DICOM file or stream: the file meta information (possibly empty) and the data set.</summary>
public sealed class DicomFile
{
    /// <summary>Creates the file.</summary>
    public DicomFile(string sourceName, DicomDataset fileMetaInformation, DicomDataset dataset, TransferSyntax transferSyntax, bool hasPreamble)
    {
        SourceName = sourceName;
        FileMetaInformation = fileMetaInformation;
        Dataset = dataset;
        TransferSyntax = transferSyntax;
        HasPreamble = hasPreamble;
    }

    /// <summary>The file path or other name, for messages.</summary>
    public string SourceName { get; }

    /// <summary>Group 0002 elements; empty for streams without file meta (e.g. bare implicit VR data sets).</summary>
    public DicomDataset FileMetaInformation { get; }

    /// <summary>The data set.</summary>
    public DicomDataset Dataset { get; }

    /// <summary>The transfer syntax the data set was encoded in (as read; an unknown UID gives an unknown syntax).</summary>
    public TransferSyntax TransferSyntax { get; }

    /// <summary>True when the file starts with the 128-byte preamble and "DICM".</summary>
    public bool HasPreamble { get; }

    /// <summary>Problems tolerated while reading (e.g. stray bytes skipped), for inspect reports.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// True when reading stopped at the top-level Pixel Data element (<see cref="DicomReadOptions.StopAtPixelData"/>):
    /// every element before it was read. False when the bytes ended first, so a cut header can be told from a whole one.
    /// </summary>
    public bool StoppedAtPixelData { get; init; }

    /// <summary>True when the file carried a file meta information group.</summary>
    public bool HasFileMeta => FileMetaInformation.Count > 0;
}
