namespace Headsup.Reporting;

/// <summary>An image of the original study that a report refers to (a key slice of the analysed CT series).</summary>
/// <param name="SopClassUid">SOP Class UID of the referenced instance (e.g. CT Image Storage).</param>
/// <param name="SopInstanceUid">SOP Instance UID of the referenced instance, copied as found in the source (not re-validated).</param>
/// <param name="SeriesInstanceUid">Series Instance UID of the referenced instance; the study is the report's study.</param>
/// <param name="InstanceNumber">Instance Number of the referenced slice, when known (shown in texts only).</param>
/// <param name="Z">Slice position along the patient axis in mm, when known (shown in texts only).</param>
public sealed record ReferencedImage(string SopClassUid, string SopInstanceUid, string SeriesInstanceUid, int? InstanceNumber, double? Z)
{
    /// <summary>SOP Class UID (1 to 64 characters).</summary>
    public string SopClassUid { get; init; } = DicomText.RequireUidValue(SopClassUid, nameof(SopClassUid));

    /// <summary>SOP Instance UID (1 to 64 characters).</summary>
    public string SopInstanceUid { get; init; } = DicomText.RequireUidValue(SopInstanceUid, nameof(SopInstanceUid));

    /// <summary>Series Instance UID (1 to 64 characters).</summary>
    public string SeriesInstanceUid { get; init; } = DicomText.RequireUidValue(SeriesInstanceUid, nameof(SeriesInstanceUid));
}
