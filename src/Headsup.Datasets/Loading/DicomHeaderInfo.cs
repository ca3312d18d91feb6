using Headsup.Dicom;
using Headsup.Series.Sources;

namespace Headsup.Datasets.Loading;

/// <summary>The identifiers and position a sample takes from its DICOM header.</summary>
public sealed record DicomHeaderInfo(string? PatientId, string? StudyInstanceUid, string? SeriesInstanceUid, string? SopInstanceUid, double? Z, int? InstanceNumber, int Frames)
{
    /// <summary>Reads the header only (the bytes before Pixel Data).</summary>
    /// <exception cref="DicomException">The file is not well-formed DICOM.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static DicomHeaderInfo Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var file = DicomHeaderReader.Read(stream, path);
        var data = file.Dataset;
        double? z = null;
        if (data.TryGetDoubles(DicomTags.ImagePositionPatient, out var ipp) && ipp.Length == 3)
        {
            z = ipp[2];
            if (data.TryGetDoubles(DicomTags.ImageOrientationPatient, out var iop) && iop.Length == 6)
            {
                // Position along the slice normal (row × column direction), as slice sorting uses it.
                double nx = (iop[1] * iop[5]) - (iop[2] * iop[4]);
                double ny = (iop[2] * iop[3]) - (iop[0] * iop[5]);
                double nz = (iop[0] * iop[4]) - (iop[1] * iop[3]);
                double length = Math.Sqrt((nx * nx) + (ny * ny) + (nz * nz));
                if (length > 1e-6)
                {
                    z = ((nx * ipp[0]) + (ny * ipp[1]) + (nz * ipp[2])) / length;
                }
            }
        }

        return new DicomHeaderInfo(
            Text(data, DicomTags.PatientID),
            Text(data, DicomTags.StudyInstanceUID),
            Text(data, DicomTags.SeriesInstanceUID),
            Text(data, DicomTags.SOPInstanceUID),
            z,
            data.TryGetInt32(DicomTags.InstanceNumber, out var n) ? n : null,
            data.TryGetInt32(DicomTags.NumberOfFrames, out var frames) && frames > 0 ? frames : 1);
    }

    private static string? Text(DicomDataset data, DicomTag tag) =>
        data.TryGetString(tag, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
