using System.Buffers.Binary;
using System.Globalization;
using Headsup.Dicom;
using Headsup.Phantom.Raster;

namespace Headsup.Phantom.Output;

/// <summary>
/// Builds a CT Image Storage data set for one phantom slice: Patient, General Study, General Series, Frame of Reference,
/// General Equipment, General Acquisition, General Image, Image Plane, Image Pixel, CT Image, VOI LUT and SOP Common
/// modules. Pixels are stored as unsigned 12-bit values, stored = round(HU + 1024) clamped to 0..4095.
/// </summary>
public static class CtSliceDatasetBuilder
{
    /// <summary>Marks every object as synthetic.</summary>
    public const string SyntheticNotice = "SYNTHETIC PHANTOM - NOT FOR CLINICAL USE";

    /// <summary>Rescale intercept written to every slice.</summary>
    public const int RescaleInterceptHu = -1024;

    /// <summary>Largest stored value (12 bits).</summary>
    public const int MaxStoredValue = 4095;

    /// <summary>Builds the data set.</summary>
    /// <param name="study">Study-level identity.</param>
    /// <param name="sopInstanceUid">This slice's SOP Instance UID.</param>
    /// <param name="instanceNumber">Instance Number (1-based).</param>
    /// <param name="grid">Pixel grid.</param>
    /// <param name="zMm">Patient z of the slice centre (mm; superior positive).</param>
    /// <param name="sliceThicknessMm">Slice thickness (mm).</param>
    /// <param name="hu">Slice HU values, row-major.</param>
    public static DicomDataset Build(PhantomStudyIdentity study, string sopInstanceUid, int instanceNumber, SliceGrid grid, double zMm, double sliceThicknessMm, ReadOnlySpan<float> hu)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(sopInstanceUid);
        grid.CheckLength(hu.Length, nameof(hu));
        var inv = CultureInfo.InvariantCulture;
        string date = study.StudyDateTime.ToString("yyyyMMdd", inv);
        string time = study.StudyDateTime.ToString("HHmmss", inv);
        string contentTime = study.StudyDateTime.AddSeconds(20).ToString("HHmmss", inv);
        var ds = new DicomDataset();
        ds.AddString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.AddStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddString(DicomTags.InstanceCreationDate, date);
        ds.AddString(DicomTags.InstanceCreationTime, contentTime);
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, sopInstanceUid);
        ds.AddString(DicomTags.StudyDate, date);
        ds.AddString(DicomTags.SeriesDate, date);
        ds.AddString(DicomTags.AcquisitionDate, date);
        ds.AddString(DicomTags.ContentDate, date);
        ds.AddString(DicomTags.StudyTime, time);
        ds.AddString(DicomTags.SeriesTime, time);
        ds.AddString(DicomTags.AcquisitionTime, time);
        ds.AddString(DicomTags.ContentTime, contentTime);
        ds.AddString(DicomTags.AccessionNumber, study.AccessionNumber);
        ds.AddString(DicomTags.Modality, "CT");
        ds.AddString(DicomTags.Manufacturer, "HEADSUP");
        ds.AddString(DicomTags.ReferringPhysicianName, string.Empty);
        ds.AddString(DicomTags.StudyDescription, "CT HEAD WO CONTRAST - " + SyntheticNotice);
        ds.AddString(DicomTags.SeriesDescription, "AXIAL 5MM BRAIN - " + SyntheticNotice);
        ds.AddString(DicomTags.ManufacturerModelName, "HEADSUP PHANTOM");
        ds.AddString(DicomTags.PatientName, study.PatientName);
        ds.AddString(DicomTags.PatientID, study.PatientId);
        ds.AddString(DicomTags.PatientBirthDate, string.Empty);
        ds.AddString(DicomTags.PatientSex, study.PatientSex);
        ds.AddString(DicomTags.PatientAge, study.PatientAgeYears.ToString("D3", inv) + "Y");
        ds.AddString(DicomTags.PatientIdentityRemoved, "YES");
        ds.AddString(DicomTags.DeidentificationMethod, "SYNTHETIC DATA, NO REAL PATIENT");
        ds.AddString(DicomTags.BodyPartExamined, "HEAD");
        ds.AddString(DicomTags.SliceThickness, DicomDataset.FormatDecimalString(sliceThicknessMm), DicomVR.DS);
        ds.AddString(DicomTags.KVP, "120", DicomVR.DS);
        ds.AddString(DicomTags.SoftwareVersions, "headsup-phantom 1");
        ds.AddString(DicomTags.ReconstructionDiameter, DicomDataset.FormatDecimalString(Math.Round(grid.Columns * grid.PixelSpacingMm, 3)), DicomVR.DS);
        ds.AddString(DicomTags.GantryDetectorTilt, "0", DicomVR.DS);
        ds.AddString(DicomTags.PatientPosition, "HFS");
        ds.AddString(DicomTags.StudyInstanceUID, study.StudyInstanceUid);
        ds.AddString(DicomTags.SeriesInstanceUID, study.SeriesInstanceUid);
        ds.AddString(DicomTags.StudyID, study.StudyId);
        ds.AddString(DicomTags.SeriesNumber, "2", DicomVR.IS);
        ds.AddString(DicomTags.AcquisitionNumber, "1", DicomVR.IS);
        ds.AddString(DicomTags.InstanceNumber, instanceNumber.ToString(inv), DicomVR.IS);
        double x0 = grid.XMm(0), y0 = grid.YMm(0);
        ds.AddDecimalStrings(DicomTags.ImagePositionPatient, Math.Round(x0, 4), Math.Round(y0, 4), Math.Round(zMm, 4));
        ds.AddDecimalStrings(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        ds.AddString(DicomTags.FrameOfReferenceUID, study.FrameOfReferenceUid);
        ds.AddString(DicomTags.PositionReferenceIndicator, string.Empty);
        ds.AddString(DicomTags.SliceLocation, DicomDataset.FormatDecimalString(Math.Round(zMm, 4)), DicomVR.DS);
        ds.AddString(DicomTags.ImageComments, SyntheticNotice);
        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddUInt16(DicomTags.Rows, (ushort)grid.Rows);
        ds.AddUInt16(DicomTags.Columns, (ushort)grid.Columns);
        ds.AddDecimalStrings(DicomTags.PixelSpacing, grid.PixelSpacingMm, grid.PixelSpacingMm);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 12);
        ds.AddUInt16(DicomTags.HighBit, 11);
        ds.AddUInt16(DicomTags.PixelRepresentation, 0);
        ds.AddString(DicomTags.BurnedInAnnotation, "NO");
        ds.AddDecimalStrings(DicomTags.WindowCenter, 40);
        ds.AddDecimalStrings(DicomTags.WindowWidth, 80);
        ds.AddDecimalStrings(DicomTags.RescaleIntercept, RescaleInterceptHu);
        ds.AddDecimalStrings(DicomTags.RescaleSlope, 1);
        ds.AddString(DicomTags.RescaleType, "HU");
        ds.AddString(DicomTags.WindowCenterWidthExplanation, "BRAIN");
        ds.AddString(DicomTags.LossyImageCompression, "00");
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, EncodePixels(hu));
        return ds;
    }

    /// <summary>Stored value for a HU value: round(HU + 1024) clamped to 0..4095.</summary>
    public static ushort ToStored(float hu) => (ushort)Math.Clamp((int)MathF.Round(hu - RescaleInterceptHu, MidpointRounding.AwayFromZero), 0, MaxStoredValue);

    private static byte[] EncodePixels(ReadOnlySpan<float> hu)
    {
        var bytes = new byte[hu.Length * 2];
        for (int i = 0; i < hu.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), ToStored(hu[i]));
        }

        return bytes;
    }
}
