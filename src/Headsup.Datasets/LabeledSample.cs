using Headsup.Inputs;
namespace Headsup.Datasets;

/// <summary>One labelled image: where it is, its labels and the identifiers that group it by patient.</summary>
public sealed record LabeledSample
{
    /// <summary>Absolute path of the image file.</summary>
    public required string File { get; init; }

    /// <summary>The path as written in the source (relative to the labels file or dataset root).</summary>
    public required string RelativeFile { get; init; }

    /// <summary>The image's format, detected from its content.</summary>
    public required ImageFormat Format { get; init; }

    /// <summary>Any intracranial hemorrhage: 0 or 1 (rows whose value is unknown are not samples).</summary>
    public required int Any { get; init; }

    /// <summary>
    /// False for a row kept only for its study label (slice label blank, study labelled hemorrhage; see
    /// <see cref="DatasetLoadOptions.KeepStudyLabelledRows"/>): <see cref="Any"/> is then a placeholder 0 and the row
    /// must not be used for training or slice-level metrics.
    /// </summary>
    public bool AnyKnown { get; init; } = true;

    /// <summary>
    /// True when the row's <c>any</c> was blank and its study is labelled <c>study_any</c> 0: the slice is negative (a
    /// study without hemorrhage has no bleeding slice), so <see cref="Any"/> is 0, known, and so are blank subtypes.
    /// </summary>
    public bool AnyFromStudyLabel { get; init; }

    /// <summary>The study-level label (a <c>study_any</c> column), when the source gives one.</summary>
    public int? StudyAny { get; init; }

    /// <summary>The five subtype labels in <see cref="HemorrhageLabels.Subtypes"/> order; null = unknown.</summary>
    public required IReadOnlyList<int?> Subtypes { get; init; }

    /// <summary>Patient identifier; a sample without one is its own patient ("row:&lt;relative file&gt;").</summary>
    public required string PatientId { get; init; }

    /// <summary>Study identifier (Study Instance UID or the source's study id), when known.</summary>
    public string? StudyId { get; init; }

    /// <summary>Series identifier, when known.</summary>
    public string? SeriesId { get; init; }

    /// <summary>Where the sample came from, e.g. "head-ct-dev", "rsna", "phantom", "CQ500".</summary>
    public required string Source { get; init; }

    /// <summary>SHA-256 of the file (lower-case hex), filled by <see cref="DatasetManifest"/>.</summary>
    public string? Sha256 { get; init; }

    /// <summary>SOP Instance UID (DICOM), when known.</summary>
    public string? SopInstanceUid { get; init; }

    /// <summary>Slice position along the slice normal in mm (DICOM), when known.</summary>
    public double? Z { get; init; }

    /// <summary>Instance Number (DICOM), when known.</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Absolute path of a lesion mask PNG (phantom output), when available.</summary>
    public string? MaskFile { get; init; }

    /// <summary>The frame of a multi-frame DICOM to use (default 0).</summary>
    public int Frame { get; init; }

    /// <summary>"train", "validation", "test" or null, as given by a manifest.</summary>
    public string? Split { get; init; }

    /// <summary>True when any subtype label is 1.</summary>
    public bool HasPositiveSubtype => Subtypes.Any(s => s == 1);

    /// <summary>Makes the patient id used when a row names none.</summary>
    public static string RowPatientId(string relativeFile) => "row:" + relativeFile;
}
