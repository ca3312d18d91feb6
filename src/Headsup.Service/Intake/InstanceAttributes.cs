using Headsup.Dicom;

namespace Headsup.Service.Intake;

/// <summary>What the database records of an instance (taken from its header; the data set itself is not kept).</summary>
public sealed record InstanceAttributes
{
    /// <summary>SOP Class UID (the data set's, else the file meta's Media Storage SOP Class UID).</summary>
    public required string SopClassUid { get; init; }

    /// <summary>SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>Transfer syntax UID of the stored file.</summary>
    public required string TransferSyntax { get; init; }

    /// <summary>Modality.</summary>
    public string? Modality { get; init; }

    /// <summary>Series Number.</summary>
    public int? SeriesNumber { get; init; }

    /// <summary>Instance Number.</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Series Description.</summary>
    public string? SeriesDescription { get; init; }

    /// <summary>Patient ID (for QIDO matching; never logged).</summary>
    public string? PatientId { get; init; }

    /// <summary>Patient's Name.</summary>
    public string? PatientName { get; init; }

    /// <summary>Patient's Birth Date.</summary>
    public string? PatientBirthDate { get; init; }

    /// <summary>Patient's Sex.</summary>
    public string? PatientSex { get; init; }

    /// <summary>Study Date.</summary>
    public string? StudyDate { get; init; }

    /// <summary>Study Time.</summary>
    public string? StudyTime { get; init; }

    /// <summary>Accession Number.</summary>
    public string? Accession { get; init; }

    /// <summary>Study Description.</summary>
    public string? StudyDescription { get; init; }

    /// <summary>Study ID.</summary>
    public string? StudyId { get; init; }

    /// <summary>Referring Physician's Name.</summary>
    public string? Referring { get; init; }

    /// <summary>Reads the attributes of a data set (and its file meta, when there is one).</summary>
    public static InstanceAttributes From(DicomDataset ds, DicomDataset? meta, string transferSyntax)
    {
        ArgumentNullException.ThrowIfNull(ds);
        string sopClass = ds.GetStringOrDefault(DicomTags.SOPClassUID).Trim();
        if (sopClass.Length == 0 && meta is not null)
        {
            // RSNA's anonymised files carry the SOP class only in the file meta.
            sopClass = meta.GetStringOrDefault(DicomTags.MediaStorageSOPClassUID).Trim();
        }

        return new InstanceAttributes
        {
            SopClassUid = sopClass,
            SopInstanceUid = ds.GetStringOrDefault(DicomTags.SOPInstanceUID).Trim(),
            StudyInstanceUid = ds.GetStringOrDefault(DicomTags.StudyInstanceUID).Trim(),
            SeriesInstanceUid = ds.GetStringOrDefault(DicomTags.SeriesInstanceUID).Trim(),
            TransferSyntax = transferSyntax,
            Modality = Get(ds, DicomTags.Modality),
            SeriesNumber = ds.TryGetInt32(DicomTags.SeriesNumber, out var sn) ? sn : null,
            InstanceNumber = ds.TryGetInt32(DicomTags.InstanceNumber, out var inum) ? inum : null,
            SeriesDescription = Get(ds, DicomTags.SeriesDescription),
            PatientId = Get(ds, DicomTags.PatientID),
            PatientName = Get(ds, DicomTags.PatientName),
            PatientBirthDate = Get(ds, DicomTags.PatientBirthDate),
            PatientSex = Get(ds, DicomTags.PatientSex),
            StudyDate = Get(ds, DicomTags.StudyDate),
            StudyTime = Get(ds, DicomTags.StudyTime),
            Accession = Get(ds, DicomTags.AccessionNumber),
            StudyDescription = Get(ds, DicomTags.StudyDescription),
            StudyId = Get(ds, DicomTags.StudyID),
            Referring = Get(ds, DicomTags.ReferringPhysicianName),
        };
    }

    private static string? Get(DicomDataset ds, DicomTag tag) => ds.TryGetString(tag, out var v) && v.Trim().Length > 0 ? v.Trim() : null;
}

/// <summary>A part after stage 1: its temporary file and attributes, or the reason it failed.</summary>
public sealed record StagedPart(int Part, string Name, Storage.TempFile? Temp, InstanceAttributes? Attributes, PartOutcome? Failure)
{
    /// <summary>A part that failed in stage 1.</summary>
    public static StagedPart Failed(PartOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return new StagedPart(outcome.Part, outcome.Name, null, null, outcome);
    }

    /// <summary>Bytes staged on disk.</summary>
    public long Bytes => Temp?.Size ?? 0;
}
