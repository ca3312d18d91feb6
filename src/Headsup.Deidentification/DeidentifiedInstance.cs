using Headsup.Dicom;

namespace Headsup.Deidentification;

/// <summary>The new identifiers of a de-identified instance (no original identifier is kept).</summary>
/// <param name="PatientId">The patient pseudonym ("ANON-" + 16 hex digits); empty when the input had no Patient ID.</param>
/// <param name="StudyInstanceUid">The mapped Study Instance UID; empty when the input had none.</param>
/// <param name="SeriesInstanceUid">The mapped Series Instance UID; empty when the input had none.</param>
/// <param name="SopInstanceUid">The mapped SOP Instance UID.</param>
/// <param name="SopClassUid">The SOP Class UID (kept).</param>
/// <param name="DateShiftDays">How many days the dates were moved back; null when dates were not shifted.</param>
public sealed record DeidentifiedIds(string PatientId, string StudyInstanceUid, string SeriesInstanceUid, string SopInstanceUid, string SopClassUid, int? DateShiftDays)
{
    /// <summary>Where the instance goes in an output folder: <c>&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm</c>.</summary>
    /// <exception cref="InvalidOperationException">The instance has no Study or Series Instance UID.</exception>
    public string RelativePath => StudyInstanceUid.Length > 0 && SeriesInstanceUid.Length > 0
        ? $"{StudyInstanceUid}/{SeriesInstanceUid}/{SopInstanceUid}.dcm"
        : throw new InvalidOperationException("an instance without Study and Series Instance UIDs has no place in the output layout");
}

/// <summary>A de-identified data set in memory, with its transfer syntax (unchanged) and new identifiers.</summary>
/// <param name="Dataset">The de-identified data set.</param>
/// <param name="TransferSyntax">The input's transfer syntax; pixel data is copied as it was.</param>
/// <param name="Ids">The new identifiers.</param>
public sealed record DeidentifiedInstance(DicomDataset Dataset, TransferSyntax TransferSyntax, DeidentifiedIds Ids);

/// <summary>A de-identified file written to disk.</summary>
/// <param name="SourceName">The input file (or archive entry), as given.</param>
/// <param name="OutputPath">The full path written.</param>
/// <param name="Ids">The new identifiers.</param>
public sealed record DeidentifiedFile(string SourceName, string OutputPath, DeidentifiedIds Ids);
