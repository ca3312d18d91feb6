using System.Text;
using Headsup.Dicom;
using Headsup.Dicom.Writing;
using Headsup.Reporting;
using Headsup.Testing;

namespace Headsup.Reporting.Tests;

/// <summary>Inputs and helpers shared by the builder tests.</summary>
internal static class ReportingFixtures
{
    public static readonly AlgorithmIdentity Algorithm = new("headsup-ich-test", "0.3.1", new string('a', 32) + new string('7', 32));

    public static readonly DateTime Created = new(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Unspecified);

    /// <summary>A CT slice header made here: Latin-1 patient name with accents, every Type 2 study attribute present.</summary>
    public static DicomDataset GeneratedSource()
    {
        var ds = new DicomDataset("generated");
        ds.AddString(DicomTags.SpecificCharacterSet, "ISO_IR 100");
        ds.AddStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL");
        ds.AddString(DicomTags.SOPClassUID, DicomUid.CTImageStorage);
        ds.AddString(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.10.1.1");
        ds.AddString(DicomTags.StudyDate, "20240101");
        ds.AddString(DicomTags.StudyTime, "101010");
        ds.AddString(DicomTags.AccessionNumber, "ACC42");
        ds.AddString(DicomTags.Modality, "CT");
        ds.AddString(DicomTags.ReferringPhysicianName, "Doe^Jane");
        ds.AddString(DicomTags.StudyDescription, "CT HEAD WO");
        ds.AddBytes(DicomTags.PatientName, DicomVR.PN, Encoding.Latin1.GetBytes("M\u00fcller^J\u00fcrgen"));
        ds.AddString(DicomTags.PatientID, "P-0001");
        ds.AddString(DicomTags.PatientBirthDate, "19600203");
        ds.AddString(DicomTags.PatientSex, "M");
        ds.AddString(DicomTags.PatientAge, "064Y");
        ds.AddString(DicomTags.StudyInstanceUID, "1.2.826.0.1.3680043.10.1");
        ds.AddString(DicomTags.SeriesInstanceUID, "1.2.826.0.1.3680043.10.1.2");
        ds.AddString(DicomTags.StudyID, "S1");
        ds.AddString(DicomTags.SeriesNumber, "2", DicomVR.IS);
        ds.AddString(DicomTags.InstanceNumber, "7", DicomVR.IS);
        return ds;
    }

    /// <summary>The first file (by name) of a shared real study, or a skip when the data is absent.</summary>
    public static string RealSlicePath(string study)
    {
        var folder = TestData.RequireSharedData("real-ct-dev", "studies", study);
        return Directory.EnumerateFiles(folder, "*.dcm").Order(StringComparer.Ordinal).First();
    }

    /// <summary>Reads a real slice header (pixel data not needed).</summary>
    public static DicomDataset RealSource(string study) =>
        DicomFileReader.Open(RealSlicePath(study), new DicomReadOptions { StopAtPixelData = true }).Dataset;

    /// <summary>The source as a referenced image (RSNA files carry the SOP Class UID only in their file meta).</summary>
    public static ReferencedImage AsReference(DicomDataset source) => new(
        source.GetStringOrDefault(DicomTags.SOPClassUID, DicomUid.CTImageStorage),
        source.GetString(DicomTags.SOPInstanceUID),
        source.GetString(DicomTags.SeriesInstanceUID),
        source.TryGetInt32(DicomTags.InstanceNumber, out var n) ? n : null,
        source.TryGetDoubles(DicomTags.ImagePositionPatient, out var p) && p.Length == 3 ? p[2] : null);

    /// <summary>A deterministic test pattern: red ramp across, green ramp down, blue constant.</summary>
    public static RgbImage Pattern(int columns = 40, int rows = 24)
    {
        var pixels = new byte[columns * rows * 3];
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < columns; x++)
            {
                int i = ((y * columns) + x) * 3;
                pixels[i] = (byte)(x * 255 / (columns - 1));
                pixels[i + 1] = (byte)(y * 255 / (rows - 1));
                pixels[i + 2] = 77;
            }
        }

        return new RgbImage(columns, rows, pixels);
    }

    public static DerivedSeries Series(DicomDataset source, string description, int number) =>
        new(source, DicomUid.Generate(), number, description, Created);

    public static TriageFinding Finding(ReferencedImage slice, bool partial = false) => new(
        Positive: true,
        Probability: 0.8734,
        Threshold: 0.5,
        Subtypes: new Dictionary<string, double> { ["subarachnoid"] = 0.12, ["subdural"] = 0.61, ["intraparenchymal"] = 0.05 },
        KeySlices: [slice],
        Partial: partial,
        Note: partial ? "3 of 30 slices could not be decoded" : null);

    /// <summary>The SC and SR of one triage, written to a folder.</summary>
    public sealed record Outputs(DicomDataset Source, DerivedSeries ScSeries, DerivedSeries SrSeries, RgbImage Image, string ScPath, string SrPath, ReferencedImage Slice, ReferencedImage Capture);

    public static Outputs Write(DicomDataset source, string folder, bool partial = false)
    {
        var slice = AsReference(source);
        var scSeries = Series(source, "HEADS UP ICH triage images", 9001);
        var srSeries = Series(source, "HEADS UP ICH triage report", 9002);
        var image = Pattern();
        var sc = SecondaryCaptureBuilder.Create(scSeries, Algorithm, image, 1, slice);
        var capture = new ReferencedImage(DicomUid.SecondaryCaptureImageStorage, sc.GetString(DicomTags.SOPInstanceUID), scSeries.SeriesInstanceUid, 1, null);
        var sr = StructuredReportBuilder.Create(srSeries, Algorithm, Finding(slice, partial), [capture]);
        var scPath = Path.Combine(folder, "sc.dcm");
        var srPath = Path.Combine(folder, "sr.dcm");
        DicomFileWriter.Save(scPath, sc, TransferSyntax.ExplicitVRLittleEndian);
        DicomFileWriter.Save(srPath, sr, TransferSyntax.ExplicitVRLittleEndian);
        return new Outputs(source, scSeries, srSeries, image, scPath, srPath, slice, capture);
    }

    public static DicomDataset Source(string name) => name == "generated" ? GeneratedSource() : RealSource(name);
}
