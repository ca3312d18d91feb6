using Headsup.Series.Sources;

namespace Headsup.Series.Grouping;

/// <summary>
/// The header attributes of one instance that grouping, sorting and selection need. Values are copied out of the
/// parsed data set, so the file's bytes are not kept alive; <see cref="Source"/> re-opens them for pixel data.
/// </summary>
public sealed record InstanceHeader
{
    /// <summary>Where the instance is stored.</summary>
    public required DicomSource Source { get; init; }

    /// <summary>Study Instance UID.</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>Series Instance UID.</summary>
    public required string SeriesInstanceUid { get; init; }

    /// <summary>SOP Instance UID.</summary>
    public required string SopInstanceUid { get; init; }

    /// <summary>SOP Class UID (empty when absent).</summary>
    public string SopClassUid { get; init; } = string.Empty;

    /// <summary>Transfer syntax UID the instance is encoded in.</summary>
    public string TransferSyntaxUid { get; init; } = string.Empty;

    /// <summary>Modality, e.g. CT (empty when absent).</summary>
    public string Modality { get; init; } = string.Empty;

    /// <summary>Series Number.</summary>
    public int? SeriesNumber { get; init; }

    /// <summary>Instance Number.</summary>
    public int? InstanceNumber { get; init; }

    /// <summary>Acquisition Number.</summary>
    public int? AcquisitionNumber { get; init; }

    /// <summary>Image Position (Patient): the centre of the first transmitted pixel, in mm.</summary>
    public Vector3D? ImagePositionPatientMm { get; init; }

    /// <summary>Image Orientation (Patient), when present and valid.</summary>
    public ImageOrientation? ImageOrientationPatient { get; init; }

    /// <summary>Pixel Spacing.</summary>
    public PixelSpacingMm? PixelSpacing { get; init; }

    /// <summary>Slice Thickness in mm.</summary>
    public double? SliceThicknessMm { get; init; }

    /// <summary>Rows.</summary>
    public int? Rows { get; init; }

    /// <summary>Columns.</summary>
    public int? Columns { get; init; }

    /// <summary>Number of Frames (1 when absent).</summary>
    public int NumberOfFrames { get; init; } = 1;

    /// <summary>Image Type values, upper case as stored (e.g. ORIGINAL, PRIMARY, AXIAL).</summary>
    public IReadOnlyList<string> ImageType { get; init; } = [];

    /// <summary>Body Part Examined.</summary>
    public string BodyPartExamined { get; init; } = string.Empty;

    /// <summary>Study Description.</summary>
    public string StudyDescription { get; init; } = string.Empty;

    /// <summary>Series Description.</summary>
    public string SeriesDescription { get; init; } = string.Empty;

    /// <summary>Protocol Name.</summary>
    public string ProtocolName { get; init; } = string.Empty;

    /// <summary>Contrast/Bolus Agent (empty when no contrast is recorded).</summary>
    public string ContrastBolusAgent { get; init; } = string.Empty;

    /// <summary>Convolution Kernel values joined with a backslash.</summary>
    public string ConvolutionKernel { get; init; } = string.Empty;

    /// <summary>Frame of Reference UID.</summary>
    public string FrameOfReferenceUid { get; init; } = string.Empty;
}
