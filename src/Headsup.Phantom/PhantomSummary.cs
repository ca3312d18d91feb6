using Headsup.Phantom.Lesions;

namespace Headsup.Phantom;

/// <summary>What one phantom run wrote.</summary>
public sealed record PhantomSummary
{
    /// <summary>The output folder (absolute).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>One entry per study, in order.</summary>
    public required IReadOnlyList<PhantomStudySummary> Studies { get; init; }

    /// <summary>Number of DICOM files written.</summary>
    public int FileCount => Studies.Sum(s => s.Files.Count);

    /// <summary>Number of slices labelled positive (any subtype).</summary>
    public int PositiveSliceCount => Studies.Sum(s => s.PositiveSliceCount);

    /// <summary>Path of stage_2_train.csv (RSNA format).</summary>
    public required string RsnaLabelsPath { get; init; }

    /// <summary>Path of labels.csv.</summary>
    public required string LabelsPath { get; init; }
}

/// <summary>What was written for one study.</summary>
public sealed record PhantomStudySummary
{
    /// <summary>Synthetic patient ID.</summary>
    public required string PatientId { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>The hemorrhage subtypes drawn in this study (empty for a normal study).</summary>
    public required IReadOnlyList<HemorrhageSubtype> Subtypes { get; init; }

    /// <summary>DICOM files, relative to the output folder, inferior → superior.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Slices labelled positive.</summary>
    public required int PositiveSliceCount { get; init; }
}
