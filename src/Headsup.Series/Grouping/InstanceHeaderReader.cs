using Headsup.Dicom;
using Headsup.Series.Sources;

namespace Headsup.Series.Grouping;

/// <summary>Copies the attributes of <see cref="InstanceHeader"/> out of a parsed file.</summary>
public static class InstanceHeaderReader
{
    /// <summary>Reads the header attributes.</summary>
    /// <exception cref="DicomAttributeException">Study, Series or SOP Instance UID is missing.</exception>
    public static InstanceHeader Read(DicomFile file, DicomSource source)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(source);
        var data = file.Dataset;
        var sopClass = data.GetStringOrDefault(DicomTags.SOPClassUID);
        if (sopClass.Length == 0)
        {
            sopClass = file.FileMetaInformation.GetStringOrDefault(DicomTags.MediaStorageSOPClassUID);
        }

        return new InstanceHeader
        {
            Source = source,
            StudyInstanceUid = data.GetString(DicomTags.StudyInstanceUID),
            SeriesInstanceUid = data.GetString(DicomTags.SeriesInstanceUID),
            SopInstanceUid = data.GetString(DicomTags.SOPInstanceUID),
            SopClassUid = sopClass,
            TransferSyntaxUid = file.TransferSyntax.Uid,
            Modality = data.GetStringOrDefault(DicomTags.Modality).ToUpperInvariant(),
            SeriesNumber = OptionalInt(data, DicomTags.SeriesNumber),
            InstanceNumber = OptionalInt(data, DicomTags.InstanceNumber),
            AcquisitionNumber = OptionalInt(data, DicomTags.AcquisitionNumber),
            ImagePositionPatientMm = data.TryGetDoubles(DicomTags.ImagePositionPatient, out var ipp) && ipp.Length == 3
                ? new Vector3D(ipp[0], ipp[1], ipp[2])
                : null,
            ImageOrientationPatient = data.TryGetDoubles(DicomTags.ImageOrientationPatient, out var iop) && ImageOrientation.TryCreate(iop, out var orientation)
                ? orientation
                : null,
            PixelSpacing = data.TryGetDoubles(DicomTags.PixelSpacing, out var ps) && ps.Length == 2 && ps[0] > 0 && ps[1] > 0
                ? new PixelSpacingMm(ps[0], ps[1])
                : null,
            SliceThicknessMm = data.TryGetDoubles(DicomTags.SliceThickness, out var thickness) && thickness.Length >= 1 && thickness[0] > 0
                ? thickness[0]
                : null,
            Rows = OptionalInt(data, DicomTags.Rows),
            Columns = OptionalInt(data, DicomTags.Columns),
            NumberOfFrames = data.TryGetInt32(DicomTags.NumberOfFrames, out var frames) && frames > 0 ? frames : 1,
            ImageType = data.GetStrings(DicomTags.ImageType).Where(v => v.Length > 0).Select(v => v.ToUpperInvariant()).ToArray(),
            BodyPartExamined = data.GetStringOrDefault(DicomTags.BodyPartExamined),
            StudyDescription = data.GetStringOrDefault(DicomTags.StudyDescription),
            SeriesDescription = data.GetStringOrDefault(DicomTags.SeriesDescription),
            ProtocolName = data.GetStringOrDefault(DicomTags.ProtocolName),
            ContrastBolusAgent = data.GetStringOrDefault(DicomTags.ContrastBolusAgent),
            ConvolutionKernel = string.Join('\\', data.GetStrings(DicomTags.ConvolutionKernel).Where(v => v.Length > 0)),
            FrameOfReferenceUid = data.GetStringOrDefault(DicomTags.FrameOfReferenceUID),
        };
    }

    private static int? OptionalInt(DicomDataset data, DicomTag tag) => data.TryGetInt32(tag, out var value) ? value : null;
}
