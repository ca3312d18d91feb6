using Headsup.Dicom;
using Headsup.Dicom.Writing;

namespace Headsup.Dicom.Tests;

/// <summary>Small data sets built with the project's own writer.</summary>
internal static class Fixtures
{
    public static DicomDataset CtSlice(int rows = 4, int columns = 3, short[]? pixels = null)
    {
        var ds = new DicomDataset();
        ds.AddString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.AddStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, DicomUid.FromGuid(new Guid(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)));
        ds.AddString(DicomTags.Modality, "CT");
        ds.AddString(DicomTags.PatientName, "Test^Patient");
        ds.AddDecimalStrings(DicomTags.ImagePositionPatient, -125.5, -120.25, 33.75);
        ds.AddDecimalStrings(DicomTags.ImageOrientationPatient, 1, 0, 0, 0, 1, 0);
        var item1 = new DicomDataset();
        item1.AddString(DicomTags.CodeValue, "T-A0100");
        item1.AddString(DicomTags.CodingSchemeDesignator, "SRT");
        var nested = new DicomDataset();
        nested.AddString(DicomTags.CodeMeaning, "Nested");
        item1.AddSequence(DicomTags.ConceptCodeSequence, nested);
        var item2 = new DicomDataset();
        item2.AddString(DicomTags.CodeValue, "X");
        ds.AddSequence(DicomTags.AnatomicRegionSequence, item1, item2);
        ds.AddUInt16(DicomTags.SamplesPerPixel, 1);
        ds.AddString(DicomTags.PhotometricInterpretation, "MONOCHROME2");
        ds.AddUInt16(DicomTags.Rows, (ushort)rows);
        ds.AddUInt16(DicomTags.Columns, (ushort)columns);
        ds.AddDecimalStrings(DicomTags.PixelSpacing, 0.5, 0.5);
        ds.AddUInt16(DicomTags.BitsAllocated, 16);
        ds.AddUInt16(DicomTags.BitsStored, 16);
        ds.AddUInt16(DicomTags.HighBit, 15);
        ds.AddUInt16(DicomTags.PixelRepresentation, 1);
        ds.AddString(DicomTags.RescaleIntercept, "-1024", DicomVR.DS);
        ds.AddString(DicomTags.RescaleSlope, "1", DicomVR.DS);
        pixels ??= Enumerable.Range(0, rows * columns).Select(i => (short)((i * 37) - 100)).ToArray();
        var bytes = new byte[pixels.Length * 2];
        Buffer.BlockCopy(pixels, 0, bytes, 0, bytes.Length);
        ds.AddBytes(DicomTags.PixelData, DicomVR.OW, bytes);
        return ds;
    }

    public static byte[] ToBytes(DicomDataset dataset, TransferSyntax syntax)
    {
        using var stream = new MemoryStream();
        DicomFileWriter.Write(stream, dataset, syntax);
        return stream.ToArray();
    }
}
